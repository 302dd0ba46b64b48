/* SQLite backend: moving and keeping data (store/dump.h). Tables and columns come from the
 * database's own catalog (sqlite_master, pragma_table_info, pragma_foreign_key_list); a name
 * is checked to be [a-z0-9_] before it is put, quoted, into a statement: values are always
 * bound. The backup uses SQLite's online backup API. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/schema.h"
#include "store/sqlite_int.h"
#include "store/row_int.h"
#include "util/buf.h"
#include "util/mem.h"

/* Prepares sql (built here from checked names), failing with the place in d. */
static sqlite3_stmt *prep(struct sq *s, const char *sql, struct vg_diag *d)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
        vg_diag_set(d, VG_EIO, "", "database error: %s", sqlite3_errmsg(s->db));
        return NULL;
    }
    return q;
}

static int dump_version(struct vg_store *st, int *version, int *latest, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    *latest = 0;
    for (const struct vg_migration *m = vg_schema_migrations; m->version; m++)
        if (m->version > *latest)
            *latest = m->version;
    long long v = sq_scalar(s, "PRAGMA user_version");
    if (v < 0)
        return sq_db_error(s, d);
    *version = (int)v;
    return 0;
}

/* Fills t's columns (sorted) and row order from pragma_table_info. */
static int table_columns(struct sq *s, struct vg_dump_table *t, struct vg_diag *d)
{
    sqlite3_stmt *q = prep(s, "SELECT name, pk FROM pragma_table_info(?) ORDER BY name", d);
    if (!q)
        return VG_EIO;
    sqlite3_bind_text(q, 1, t->name, -1, SQLITE_STATIC);
    int pk[VG_DUMP_COLS_MAX] = {0}, rc = 0, step;
    t->ncols = 0;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = sq_col_text(q, 0);
        if (t->ncols == VG_DUMP_COLS_MAX || !st_dump_plain_name(name)) {
            rc = vg_diag_set(d, VG_EINVAL, t->name, "table %s: column '%.64s' cannot be copied",
                             t->name, name);
            break;
        }
        snprintf(t->cols[t->ncols], sizeof t->cols[0], "%s", name);
        pk[t->ncols++] = sqlite3_column_int(q, 1);
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_db_error(s, d);
    sqlite3_finalize(q);
    if (rc)
        return rc;
    if (t->ncols == 0)
        return vg_diag_set(d, VG_EINVAL, t->name, "table %s has no columns", t->name);
    /* cols come sorted by SQLite's BINARY collation: by bytes */
    t->nkey = 0;
    for (int k = 1; k <= (int)t->ncols; k++)
        for (size_t i = 0; i < t->ncols; i++)
            if (pk[i] == k)
                t->key[t->nkey++] = (int)i;
    if (t->nkey == 0) {
        /* no primary key: a rowid table (WITHOUT ROWID needs one), whose rowid is the row's
         * identity and order (org_product's products are read in it), dumped as "id" */
        size_t at = 0;
        while (at < t->ncols && strcmp(t->cols[at], "id") < 0)
            at++;
        if (t->ncols == VG_DUMP_COLS_MAX || (at < t->ncols && !strcmp(t->cols[at], "id")))
            return vg_diag_set(d, VG_EINVAL, t->name, "table %s: no room for its rowid", t->name);
        memmove(t->cols[at + 1], t->cols[at], (t->ncols - at) * sizeof t->cols[0]);
        snprintf(t->cols[at], sizeof t->cols[0], "id");
        t->ncols++;
        t->key[0] = (int)at;
        t->nkey = 1;
        t->implicit_id = true;
    }
    return 0;
}

/* Whether table a names table b in a foreign key. */
static int refers(struct sq *s, const char *a, const char *b, bool *yes, struct vg_diag *d)
{
    sqlite3_stmt *q =
        prep(s, "SELECT count(*) FROM pragma_foreign_key_list(?) WHERE \"table\" = ?", d);
    if (!q)
        return VG_EIO;
    sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_ROW ? 0 : sq_db_error(s, d);
    *yes = !rc && sqlite3_column_int64(q, 0) > 0;
    sqlite3_finalize(q);
    return rc;
}

/* The AUTOINCREMENT mark of table name (sqlite_sequence), 0 if it has none. */
static long long id_high(struct sq *s, const char *name)
{
    sqlite3_stmt *q = NULL;
    long long v = 0;
    /* no sqlite_sequence table without an AUTOINCREMENT table: nothing to read then */
    if (sqlite3_prepare_v2(s->db, "SELECT seq FROM sqlite_sequence WHERE name = ?", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return v;
}

static int dump_tables(struct vg_store *st, struct vg_dump_table **out, size_t *n,
                       struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q = prep(s,
                           "SELECT name FROM sqlite_master WHERE type = 'table' "
                           "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                           d);
    if (!q)
        return VG_EIO;
    char(*names)[VG_DUMP_NAME_MAX + 1] = vg_calloc(VG_DUMP_TABLES_MAX, sizeof *names);
    struct vg_dump_table *tabs = vg_calloc(VG_DUMP_TABLES_MAX, sizeof *tabs);
    bool *refs = vg_calloc((size_t)VG_DUMP_TABLES_MAX * VG_DUMP_TABLES_MAX, sizeof *refs);
    size_t *order = vg_calloc(VG_DUMP_TABLES_MAX, sizeof *order);
    size_t count = 0;
    int rc = names && tabs && refs && order ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = sq_col_text(q, 0);
        if (count == VG_DUMP_TABLES_MAX || !st_dump_plain_name(name))
            rc = vg_diag_set(d, VG_EINVAL, "", "table '%.64s' cannot be copied", name);
        else
            snprintf(names[count++], sizeof names[0], "%s", name);
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_db_error(s, d);
    sqlite3_finalize(q);
    for (size_t i = 0; !rc && i < count; i++)
        for (size_t j = 0; !rc && j < count; j++)
            if (i != j)
                rc = refers(s, names[i], names[j], &refs[i * VG_DUMP_TABLES_MAX + j], d);
    /* parents first; tables in name order */
    if (!rc)
        rc = st_dump_order(count, refs, VG_DUMP_TABLES_MAX, order, d);
    for (size_t k = 0; !rc && k < count; k++) {
        struct vg_dump_table *t = &tabs[k];
        snprintf(t->name, sizeof t->name, "%s", names[order[k]]);
        t->seeded = strcmp(t->name, "playbook") == 0; /* seed_playbooks in sqlite.c */
        rc = table_columns(s, t, d);
        if (!rc)
            t->id_high = id_high(s, t->name);
    }
    free(names);
    free(refs);
    free(order);
    if (rc) {
        free(tabs);
        return rc;
    }
    *out = tabs;
    *n = count;
    return 0;
}

/* Appends "c1", "c2", ... (the columns of t, or its key columns when key) to b; the implicit
 * id as rowid. */
static void put_cols(struct vg_buf *b, const struct vg_dump_table *t, bool key)
{
    size_t n = key ? t->nkey : t->ncols;
    for (size_t i = 0; i < n; i++) {
        const char *c = t->cols[key ? (size_t)t->key[i] : i];
        if (t->implicit_id && !strcmp(c, "id"))
            vg_buf_printf(b, "%srowid", i ? ", " : "");
        else
            vg_buf_printf(b, "%s\"%s\"", i ? ", " : "", c);
    }
}

static int dump_count(struct vg_store *st, const struct vg_dump_table *t, long long *n,
                      struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (!st_dump_plain_name(t->name))
        return vg_diag_set(d, VG_EINVAL, "", "bad table name");
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", t->name);
    sqlite3_stmt *q = prep(s, sql, d);
    if (!q)
        return VG_EIO;
    int rc = sqlite3_step(q) == SQLITE_ROW ? 0 : sq_db_error(s, d);
    *n = rc ? -1 : sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return rc;
}

static int dump_rows(struct vg_store *st, const struct vg_dump_table *t, vg_dump_row_fn fn,
                     void *ctx, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    struct vg_buf b;
    vg_buf_init(&b, 16384);
    vg_buf_puts(&b, "SELECT ");
    put_cols(&b, t, false);
    vg_buf_printf(&b, " FROM \"%s\" ORDER BY ", t->name);
    put_cols(&b, t, true);
    if (b.failed) {
        vg_buf_cleanup(&b);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    /* one snapshot for the whole table */
    bool own = sqlite3_get_autocommit(s->db) && sq_exec(s, "BEGIN") == 0;
    sqlite3_stmt *q = prep(s, b.data, d);
    vg_buf_cleanup(&b);
    int rc = q ? 0 : VG_EIO, step = SQLITE_DONE;
    struct vg_dump_value row[VG_DUMP_COLS_MAX];
    while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
        for (size_t i = 0; i < t->ncols; i++) {
            struct vg_dump_value *v = &row[i];
            *v = (struct vg_dump_value){.type = VG_DUMP_NULL};
            switch (sqlite3_column_type(q, (int)i)) {
            case SQLITE_INTEGER:
                v->type = VG_DUMP_INT;
                v->i = sqlite3_column_int64(q, (int)i);
                break;
            case SQLITE_FLOAT:
                v->type = VG_DUMP_REAL;
                v->r = sqlite3_column_double(q, (int)i);
                break;
            case SQLITE_TEXT:
                v->type = VG_DUMP_TEXT;
                v->p = (const char *)sqlite3_column_text(q, (int)i);
                v->len = (size_t)sqlite3_column_bytes(q, (int)i);
                break;
            case SQLITE_BLOB:
                v->type = VG_DUMP_BLOB;
                v->p = sqlite3_column_blob(q, (int)i);
                v->len = (size_t)sqlite3_column_bytes(q, (int)i);
                break;
            default: break;
            }
        }
        rc = fn(ctx, row, t->ncols);
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_db_error(s, d);
    sqlite3_finalize(q);
    if (own)
        sq_exec(s, "COMMIT");
    return rc;
}

/* The load: one transaction; the triggers kept in a temporary table while they are dropped. */
static int dump_load_begin(struct vg_store *st, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (sq_begin(s))
        return sq_db_error(s, d);
    if (sq_exec(s, "PRAGMA defer_foreign_keys = ON") ||
        sq_exec(s, "CREATE TEMP TABLE vg_load_trigger AS SELECT rowid AS n, name, sql "
                   "FROM sqlite_master WHERE type = 'trigger'"))
        return sq_fail(s, d);
    sqlite3_stmt *q = prep(s, "SELECT name FROM temp.vg_load_trigger ORDER BY n", d);
    if (!q) {
        sq_rollback(s);
        return VG_EIO;
    }
    int rc = 0;
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        const char *name = sq_col_text(q, 0);
        char sql[128];
        if (!st_dump_plain_name(name)) {
            rc = vg_diag_set(d, VG_EINVAL, "", "trigger '%.64s' cannot be set aside", name);
            break;
        }
        snprintf(sql, sizeof sql, "DROP TRIGGER main.\"%s\"", name);
        if (sq_exec(s, sql))
            rc = sq_db_error(s, d);
    }
    sqlite3_finalize(q);
    if (rc)
        sq_rollback(s);
    return rc;
}

static int dump_load_clear(struct vg_store *st, const struct vg_dump_table *t, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char sql[128];
    if (!st_dump_plain_name(t->name))
        return vg_diag_set(d, VG_EINVAL, "", "bad table name");
    snprintf(sql, sizeof sql, "DELETE FROM \"%s\"", t->name);
    return sq_exec(s, sql) ? sq_db_error(s, d) : 0;
}

static int dump_load_rows(struct vg_store *st, const struct vg_dump_table *t,
                          const struct vg_dump_value *v, size_t nrows, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (!st_dump_plain_name(t->name))
        return vg_diag_set(d, VG_EINVAL, "", "bad table name");
    struct vg_buf b;
    vg_buf_init(&b, 16384);
    vg_buf_printf(&b, "INSERT INTO \"%s\"(", t->name);
    put_cols(&b, t, false);
    vg_buf_puts(&b, ") VALUES (");
    for (size_t i = 0; i < t->ncols; i++)
        vg_buf_puts(&b, i ? ", ?" : "?");
    vg_buf_puts(&b, ")");
    if (b.failed) {
        vg_buf_cleanup(&b);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    sqlite3_stmt *q = prep(s, b.data, d);
    vg_buf_cleanup(&b);
    if (!q)
        return VG_EIO;
    int rc = 0;
    for (size_t r = 0; !rc && r < nrows; r++) {
        sqlite3_reset(q);
        for (size_t i = 0; i < t->ncols; i++) {
            const struct vg_dump_value *x = &v[r * t->ncols + i];
            int p = (int)i + 1;
            switch (x->type) {
            case VG_DUMP_INT: sqlite3_bind_int64(q, p, x->i); break;
            case VG_DUMP_REAL: sqlite3_bind_double(q, p, x->r); break;
            case VG_DUMP_TEXT:
                sqlite3_bind_text64(q, p, x->p ? x->p : "", x->len, SQLITE_STATIC, SQLITE_UTF8);
                break;
            case VG_DUMP_BLOB:
                sqlite3_bind_blob64(q, p, x->p ? (const void *)x->p : (const void *)"", x->len,
                                    SQLITE_STATIC);
                break;
            default: sqlite3_bind_null(q, p); break;
            }
        }
        int step = sqlite3_step(q);
        if (step != SQLITE_DONE) {
            int code = (step & 0xff) == SQLITE_CONSTRAINT ? VG_EINVAL : VG_EIO;
            rc = vg_diag_set(d, code, t->name, "table %s, row %zu of the chunk: %s", t->name, r + 1,
                             sqlite3_errmsg(s->db));
        }
    }
    sqlite3_finalize(q);
    return rc;
}

/* SQLite's AUTOINCREMENT continues after the largest of its mark and every id inserted: the
 * mark raised to the source's. */
static int dump_load_ids(struct vg_store *st, const struct vg_dump_table *t, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (t->id_high <= 0)
        return 0;
    sqlite3_stmt *q = prep(s,
                           "INSERT INTO sqlite_sequence(name, seq) SELECT ?1, ?2 WHERE NOT EXISTS "
                           "(SELECT 1 FROM sqlite_sequence WHERE name = ?1)",
                           d);
    sqlite3_stmt *u =
        q ? prep(s, "UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1 AND seq < ?2", d) : NULL;
    int rc = q && u ? 0 : VG_EIO;
    for (int i = 0; !rc && i < 2; i++) {
        sqlite3_stmt *x = i ? u : q;
        sqlite3_bind_text(x, 1, t->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(x, 2, t->id_high);
        if (sqlite3_step(x) != SQLITE_DONE)
            rc = vg_diag_set(d, VG_EIO, t->name, "table %s: %s", t->name, sqlite3_errmsg(s->db));
    }
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    return rc;
}

/* Puts the triggers back (in their former order), then commits or rolls back. SQLite's rowid
 * and AUTOINCREMENT both continue after the largest id inserted: nothing to set. */
static int dump_load_end(struct vg_store *st, bool commit, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (!commit) {
        sq_rollback(s);
        return 0;
    }
    sqlite3_stmt *q = prep(s, "SELECT sql FROM temp.vg_load_trigger ORDER BY n", d);
    if (!q) {
        sq_rollback(s);
        return VG_EIO;
    }
    int rc = 0;
    while (!rc && sqlite3_step(q) == SQLITE_ROW)
        if (sq_exec(s, sq_col_text(q, 0)))
            rc = sq_db_error(s, d);
    sqlite3_finalize(q);
    if (!rc && sq_exec(s, "DROP TABLE temp.vg_load_trigger"))
        rc = sq_db_error(s, d);
    /* foreign keys were deferred: COMMIT checks them all */
    if (!rc && sq_commit(s)) {
        rc = vg_diag_set(d, VG_EINVAL, "", "the copy cannot commit: %s", sqlite3_errmsg(s->db));
    }
    if (rc)
        sq_rollback(s);
    return rc;
}

/* Gives the finished backup part its name path, never over a file that appeared meanwhile:
 * a hard link fails if path exists; on a file system without hard links, a rename after a
 * last look. */
static int publish(const char *part, const char *path, struct vg_diag *d)
{
    if (link(part, path) == 0)
        return 0;
    int err = errno;
    struct stat sb;
    if (err == EEXIST || lstat(path, &sb) == 0)
        return vg_diag_set(d, VG_EEXIST, "out", "%s exists: a backup goes to a new file", path);
    if ((err == EPERM || err == EOPNOTSUPP || err == ENOSYS) && rename(part, path) == 0)
        return 0;
    return vg_diag_set(d, VG_EIO, "out", "cannot create %s: %s", path, strerror(err));
}

static int dump_backup(struct vg_store *st, const char *path, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char part[4096];
    if (snprintf(part, sizeof part, "%s.part", path) >= (int)sizeof part)
        return vg_diag_set(d, VG_EINVAL, "out", "path too long");
    unlink(part);
    sqlite3 *dst = NULL;
    int rc = 0;
    if (sqlite3_open_v2(part, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = vg_diag_set(d, VG_EIO, "out", "cannot create %s: %s", part,
                         dst ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    /* every page in one step: one read snapshot of the source, which writers in WAL mode do
     * not wait for */
    sqlite3_backup *bk = sqlite3_backup_init(dst, "main", s->db, "main");
    if (!bk) {
        rc = vg_diag_set(d, VG_EIO, "out", "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    int step = sqlite3_backup_step(bk, -1);
    sqlite3_backup_finish(bk);
    if (step != SQLITE_DONE) {
        rc = vg_diag_set(d, VG_EIO, "out", "backup: %s", sqlite3_errstr(step));
        goto out;
    }
    /* one file, whatever the source's journal: the copy stands alone */
    if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = vg_diag_set(d, VG_EIO, "out", "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
out:
    sqlite3_close(dst);
    if (!rc && chmod(part, 0600) != 0)
        rc = vg_diag_set(d, VG_EIO, "out", "cannot set the mode of %s", part);
    if (!rc)
        rc = publish(part, path, d);
    unlink(part);
    return rc;
}

const struct vg_store_dump_ops sq_dump_ops = {
    .version = dump_version,
    .tables = dump_tables,
    .count = dump_count,
    .rows = dump_rows,
    .load_begin = dump_load_begin,
    .load_clear = dump_load_clear,
    .load_rows = dump_load_rows,
    .load_ids = dump_load_ids,
    .load_end = dump_load_end,
    .backup = dump_backup,
};
