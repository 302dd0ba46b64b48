/* PostgreSQL backend: moving and keeping data (store/dump.h; the note at its top says what
 * makes this side's streams equal to sqlite_dump.c's). Tables, columns, keys and foreign keys
 * come from pg_catalog; a name is checked to be [a-z0-9_] before it is put, quoted, into a
 * statement built here (such statements run through PQexecParams, not pg_run's cache, which
 * keys on a literal's address); values always travel as parameters. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"
#include "store/row_int.h"
#include "store/schema.h"
#include "util/buf.h"
#include "util/mem.h"

#define OID_BOOL   16
#define OID_BYTEA  17
#define OID_INT8   20
#define OID_INT2   21
#define OID_INT4   23
#define OID_TEXT   25
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_VCHAR  1043

/* The tables of the dump: the schema's own, without the migrations' version table. */
#define TABLES_SQL                                                                                 \
    "SELECT c.oid, c.relname FROM pg_class c WHERE c.relkind IN ('r', 'p') "                       \
    "AND c.relnamespace = current_schema()::regnamespace AND c.relname <> 'vg_schema_version'"

/* A failure in d: VG_EINVAL for a value the schema refuses (state 22xxx or 23xxx: a data or
 * integrity exception), else VG_EIO; msg (empty: the connection's) names what failed. */
static int fail_as(struct pg *p, const char *state, const char *msg, const char *where,
                   struct vg_diag *d)
{
    if (!msg || !msg[0])
        msg = PQerrorMessage(p->conn);
    int code = state && (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0) ? VG_EINVAL
                                                                                       : VG_EIO;
    if (PQstatus(p->conn) != CONNECTION_OK)
        return vg_diag_set(d, VG_EIO, where, "database unavailable: %s: %.400s", p->shown, msg);
    return vg_diag_set(d, code, where, "database error: %s: %.600s", where, msg);
}

/* The failure of res (may be NULL) in d, as fail_as says. */
static int res_error(struct pg *p, const PGresult *res, const char *where, struct vg_diag *d)
{
    return fail_as(p, res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL,
                   res ? PQresultErrorMessage(res) : "", where, d);
}

/* Runs a statement built here (sql from checked names; text parameters v[0 .. n)). */
static PGresult *run_dyn(struct pg *p, const char *sql, int n, const char *const *v,
                         const char *where, struct vg_diag *d)
{
    if (pg_flush(p)) { /* a held SAVEPOINT or RELEASE first (pg.c): this bypasses pg_run */
        pg_error(p, d);
        return NULL;
    }
    PGresult *r = PQexecParams(p->conn, sql, n, NULL, v, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
        return r;
    res_error(p, r, where, d);
    PQclear(r);
    return NULL;
}

static int dump_version(struct vg_store *st, int *version, int *latest, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    *latest = 0;
    for (const struct vg_migration *m = vg_pg_migrations; m->version; m++)
        if (m->version > *latest)
            *latest = m->version;
    /* a database never migrated has no version table: version 0 (the table is named in a
     * second statement, which could not be prepared without it) */
    PGresult *r = pg_run(p, "SELECT to_regclass('vg_schema_version') IS NOT NULL", NULL);
    if (!r)
        return pg_error(p, d);
    bool has = pg_get_bool(r, 0, 0);
    PQclear(r);
    *version = 0;
    if (!has)
        return 0;
    r = pg_run(p, "SELECT coalesce(max(version), 0) FROM vg_schema_version", NULL);
    if (!r)
        return pg_error(p, d);
    *version = (int)pg_get_int(r, 0, 0);
    PQclear(r);
    return 0;
}

/* Fills t's columns (sorted by bytes) and its key from the catalog (oid: the table's). */
static int table_columns(struct pg *p, const char *oid, struct vg_dump_table *t, struct vg_diag *d)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, oid);
    PGresult *r = pg_run(p,
                         "SELECT a.attname, coalesce((SELECT k.n FROM pg_index i, "
                         "unnest(i.indkey::int2[]) WITH ORDINALITY k(att, n) "
                         "WHERE i.indrelid = a.attrelid AND i.indisprimary AND k.att = a.attnum), "
                         "0) FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 "
                         "AND NOT a.attisdropped ORDER BY a.attname COLLATE \"C\"",
                         &pp);
    if (!r)
        return pg_error(p, d);
    int n = PQntuples(r), pk[VG_DUMP_COLS_MAX] = {0};
    if (n == 0 || n > VG_DUMP_COLS_MAX) {
        PQclear(r);
        return vg_diag_set(d, VG_EINVAL, t->name, "table %s: %d columns cannot be copied", t->name,
                           n);
    }
    t->ncols = 0;
    for (int i = 0; i < n; i++) {
        const char *name = pg_get_text(r, i, 0);
        if (!st_dump_plain_name(name)) {
            int rc = vg_diag_set(d, VG_EINVAL, t->name, "table %s: column '%.64s' cannot be copied",
                                 t->name, name);
            PQclear(r);
            return rc;
        }
        snprintf(t->cols[t->ncols], sizeof t->cols[0], "%s", name);
        pk[t->ncols++] = (int)pg_get_int(r, i, 1);
    }
    PQclear(r);
    t->nkey = 0;
    for (int k = 1; k <= (int)t->ncols; k++)
        for (size_t i = 0; i < t->ncols; i++)
            if (pk[i] == k)
                t->key[t->nkey++] = (int)i;
    if (t->nkey == 0) {
        for (size_t i = 0; i < t->ncols; i++)
            if (!strcmp(t->cols[i], "id")) {
                t->key[t->nkey++] = (int)i;
                t->implicit_id = true;
            }
        if (t->nkey == 0)
            return vg_diag_set(d, VG_EINVAL, t->name, "table %s has no key", t->name);
    }
    /* org_product: its identity id stands for SQLite's rowid (schema/pg/001) */
    if (!strcmp(t->name, "org_product"))
        t->implicit_id = true;
    return 0;
}

/* The mark of ids never given again: the identity's last value, for the tables whose ids
 * SQLite keeps with AUTOINCREMENT (schema/003: finding). */
static int id_high(struct pg *p, struct vg_dump_table *t, struct vg_diag *d)
{
    t->id_high = 0;
    if (strcmp(t->name, "finding") != 0)
        return 0;
    struct pg_params pp = {0};
    pg_param_text(&pp, t->name);
    PGresult *r = pg_run(p,
                         "SELECT coalesce(pg_sequence_last_value("
                         "pg_get_serial_sequence(quote_ident($1), 'id')::regclass), 0)",
                         &pp);
    if (!r)
        return pg_error(p, d);
    t->id_high = pg_get_int(r, 0, 0);
    PQclear(r);
    return 0;
}

static int dump_tables(struct vg_store *st, struct vg_dump_table **out, size_t *n,
                       struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    *out = NULL;
    *n = 0;
    PGresult *r = pg_run(p, TABLES_SQL " ORDER BY c.relname COLLATE \"C\"", NULL);
    if (!r)
        return pg_error(p, d);
    PGresult *f = pg_run(p,
                         "SELECT a.relname, b.relname FROM pg_constraint k "
                         "JOIN pg_class a ON a.oid = k.conrelid "
                         "JOIN pg_class b ON b.oid = k.confrelid WHERE k.contype = 'f' "
                         "AND a.relnamespace = current_schema()::regnamespace",
                         NULL);
    if (!f) {
        PQclear(r);
        return pg_error(p, d);
    }
    size_t count = (size_t)PQntuples(r);
    struct vg_dump_table *tabs = vg_calloc(count ? count : 1, sizeof *tabs);
    bool *refs = vg_calloc(count * count + 1, sizeof *refs);
    size_t *order = vg_calloc(count + 1, sizeof *order);
    int rc = tabs && refs && order ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (!rc && count > VG_DUMP_TABLES_MAX)
        rc = vg_diag_set(d, VG_EINVAL, "", "%zu tables: too many to copy", count);
    for (size_t i = 0; !rc && i < count; i++)
        if (!st_dump_plain_name(pg_get_text(r, (int)i, 1)))
            rc = vg_diag_set(d, VG_EINVAL, "", "table '%.64s' cannot be copied",
                             pg_get_text(r, (int)i, 1));
    for (int k = 0; !rc && k < PQntuples(f); k++) {
        size_t a = count, b = count;
        for (size_t i = 0; i < count; i++) {
            if (!strcmp(pg_get_text(r, (int)i, 1), pg_get_text(f, k, 0)))
                a = i;
            if (!strcmp(pg_get_text(r, (int)i, 1), pg_get_text(f, k, 1)))
                b = i;
        }
        if (a < count && b < count)
            refs[a * count + b] = true;
    }
    /* parents first; tables in name order */
    if (!rc)
        rc = st_dump_order(count, refs, count, order, d);
    for (size_t k = 0; !rc && k < count; k++) {
        size_t pick = order[k];
        struct vg_dump_table *t = &tabs[k];
        snprintf(t->name, sizeof t->name, "%s", pg_get_text(r, (int)pick, 1));
        t->seeded = strcmp(t->name, "playbook") == 0; /* as sqlite_dump.c */
        rc = table_columns(p, pg_get_text(r, (int)pick, 0), t, d);
        if (!rc)
            rc = id_high(p, t, d);
    }
    PQclear(r);
    PQclear(f);
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

static int dump_count(struct vg_store *st, const struct vg_dump_table *t, long long *n,
                      struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (!st_dump_plain_name(t->name))
        return vg_diag_set(d, VG_EINVAL, "", "bad table name");
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", t->name);
    PGresult *r = run_dyn(p, sql, 0, NULL, t->name, d);
    *n = r ? pg_get_int(r, 0, 0) : -1;
    PQclear(r);
    return r ? 0 : VG_EIO;
}

static uint64_t be_u64(const char *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | (unsigned char)b[i];
    return v;
}

/* Value i of row r of a binary result as the dump's type. */
static int value_of(const PGresult *res, int r, int i, struct vg_dump_value *v)
{
    *v = (struct vg_dump_value){.type = VG_DUMP_NULL};
    if (PQgetisnull(res, r, i))
        return 0;
    const char *b = PQgetvalue(res, r, i);
    int len = PQgetlength(res, r, i);
    switch (PQftype(res, i)) {
    case OID_INT8:
        if (len != 8)
            return -1;
        v->type = VG_DUMP_INT;
        v->i = (long long)be_u64(b);
        return 0;
    case OID_INT4:
        if (len != 4)
            return -1;
        v->type = VG_DUMP_INT;
        v->i = (int32_t)(((uint32_t)(unsigned char)b[0] << 24) |
                         ((uint32_t)(unsigned char)b[1] << 16) |
                         ((uint32_t)(unsigned char)b[2] << 8) | (uint32_t)(unsigned char)b[3]);
        return 0;
    case OID_INT2:
        if (len != 2)
            return -1;
        v->type = VG_DUMP_INT;
        v->i = (int16_t)(((unsigned)(unsigned char)b[0] << 8) | (unsigned char)b[1]);
        return 0;
    case OID_BOOL:
        if (len != 1)
            return -1;
        v->type = VG_DUMP_INT;
        v->i = b[0] != 0;
        return 0;
    case OID_FLOAT8: {
        if (len != 8)
            return -1;
        uint64_t u = be_u64(b);
        v->type = VG_DUMP_REAL;
        memcpy(&v->r, &u, sizeof v->r);
        return 0;
    }
    case OID_FLOAT4: {
        if (len != 4)
            return -1;
        uint32_t u = ((uint32_t)(unsigned char)b[0] << 24) | ((uint32_t)(unsigned char)b[1] << 16) |
                     ((uint32_t)(unsigned char)b[2] << 8) | (uint32_t)(unsigned char)b[3];
        float f;
        memcpy(&f, &u, sizeof f);
        v->type = VG_DUMP_REAL;
        v->r = f;
        return 0;
    }
    case OID_TEXT:
    case OID_VCHAR:
        v->type = VG_DUMP_TEXT;
        v->p = b;
        v->len = (size_t)len;
        return 0;
    case OID_BYTEA:
        v->type = VG_DUMP_BLOB;
        v->p = b;
        v->len = (size_t)len;
        return 0;
    default: return -1; /* a type the dump has no mapping for (the schema has none) */
    }
}

/* Appends "c1", "c2", ... (t's columns, or its key's: collatable ones COLLATE "C", NULLS
 * FIRST as SQLite orders) to b. */
static void put_cols(struct vg_buf *b, const struct vg_dump_table *t, bool key,
                     const bool *collatable)
{
    size_t n = key ? t->nkey : t->ncols;
    for (size_t i = 0; i < n; i++) {
        size_t c = key ? (size_t)t->key[i] : i;
        vg_buf_printf(b, "%s\"%s\"", i ? ", " : "", t->cols[c]);
        if (key)
            vg_buf_printf(b, "%s NULLS FIRST", collatable[c] ? " COLLATE \"C\"" : "");
    }
}

static int dump_rows(struct vg_store *st, const struct vg_dump_table *t, vg_dump_row_fn fn,
                     void *ctx, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (!st_dump_plain_name(t->name))
        return vg_diag_set(d, VG_EINVAL, "", "bad table name");
    for (size_t i = 0; i < t->ncols; i++)
        if (!st_dump_plain_name(t->cols[i]))
            return vg_diag_set(d, VG_EINVAL, t->name, "bad column name");
    /* which columns are collatable (text): those get COLLATE "C" in the order */
    bool coll[VG_DUMP_COLS_MAX] = {0};
    struct pg_params pp = {0};
    pg_param_text(&pp, t->name);
    PGresult *r = pg_run(p,
                         "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = "
                         "to_regclass(quote_ident($1)) AND a.attnum > 0 AND a.attcollation <> 0",
                         &pp);
    if (!r)
        return pg_error(p, d);
    for (int k = 0; k < PQntuples(r); k++)
        for (size_t i = 0; i < t->ncols; i++)
            if (!strcmp(t->cols[i], pg_get_text(r, k, 0)))
                coll[i] = true;
    PQclear(r);
    struct vg_buf b;
    vg_buf_init(&b, 16384);
    vg_buf_puts(&b, "SELECT ");
    put_cols(&b, t, false, coll);
    vg_buf_printf(&b, " FROM \"%s\" ORDER BY ", t->name);
    put_cols(&b, t, true, coll);
    if (b.failed) {
        vg_buf_cleanup(&b);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    /* one snapshot for the whole table (a transaction of its own unless one is open) */
    bool own = PQtransactionStatus(p->conn) == PQTRANS_IDLE;
    if (own && pg_exec(p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")) {
        vg_buf_cleanup(&b);
        return pg_error(p, d);
    }
    int rc = 0;
    /* rows one at a time: a large table is not held whole in memory */
    if (pg_flush(p) || !PQsendQueryParams(p->conn, b.data, 0, NULL, NULL, NULL, NULL, 1) ||
        !PQsetSingleRowMode(p->conn))
        rc = res_error(p, NULL, t->name, d);
    vg_buf_cleanup(&b);
    struct vg_dump_value row[VG_DUMP_COLS_MAX];
    PGresult *res;
    while (!rc && (res = PQgetResult(p->conn))) {
        ExecStatusType s = PQresultStatus(res);
        if (s == PGRES_SINGLE_TUPLE) {
            for (size_t i = 0; !rc && i < t->ncols; i++)
                if (value_of(res, 0, (int)i, &row[i]))
                    rc = vg_diag_set(d, VG_EINVAL, t->name,
                                     "table %s: column %s has a type the dump cannot carry",
                                     t->name, t->cols[i]);
            if (!rc)
                rc = fn(ctx, row, t->ncols);
        } else if (s != PGRES_TUPLES_OK) {
            rc = res_error(p, res, t->name, d);
        }
        PQclear(res);
    }
    /* stopped early: drain the rest; the query is cancelled only in the snapshot's own
     * transaction (a cancel would abort a caller's) */
    if (rc) {
        if (own)
            PQrequestCancel(p->conn);
        while ((res = PQgetResult(p->conn)))
            PQclear(res);
    }
    if (own && pg_exec(p, rc ? "ROLLBACK" : "COMMIT") && !rc)
        rc = pg_error(p, d);
    return rc;
}

/* The load: one transaction; the tables' own triggers off (ALTER TABLE ... DISABLE TRIGGER
 * USER: the foreign keys' system triggers stay on, so each row is checked, its parents loaded
 * first); undone by the rollback or re-enabled before the commit. */
static const char disable_sql[] =
    "DO $$ DECLARE r record; BEGIN FOR r IN " TABLES_SQL
    " LOOP EXECUTE format('ALTER TABLE %I DISABLE TRIGGER USER', r.relname); END LOOP; END $$";
static const char enable_sql[] =
    "DO $$ DECLARE r record; BEGIN FOR r IN " TABLES_SQL
    " LOOP EXECUTE format('ALTER TABLE %I ENABLE TRIGGER USER', r.relname); END LOOP; END $$";
/* Each identity continues after the largest id of its table (never lowered: a seeded table's
 * identity may already be past them). */
static const char ids_sql[] =
    "DO $$ DECLARE r record; m bigint; s text; BEGIN FOR r IN SELECT c.relname, a.attname "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE a.attidentity <> '' "
    "AND c.relnamespace = current_schema()::regnamespace LOOP "
    "s := pg_get_serial_sequence(quote_ident(r.relname), r.attname); "
    "EXECUTE format('SELECT max(%I) FROM %I', r.attname, r.relname) INTO m; "
    "m := greatest(coalesce(m, 0), coalesce(pg_sequence_last_value(s::regclass), 0)); "
    "IF m > 0 THEN PERFORM setval(s, m, true); END IF; END LOOP; END $$";

static int dump_load_begin(struct vg_store *st, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (pg_begin(p))
        return pg_error(p, d);
    if (pg_exec(p, "SET CONSTRAINTS ALL DEFERRED") || pg_exec(p, disable_sql))
        return pg_fail(p, d);
    return 0;
}

static int dump_load_clear(struct vg_store *st, const struct vg_dump_table *t, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (!st_dump_plain_name(t->name))
        return vg_diag_set(d, VG_EINVAL, "", "bad table name");
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM \"%s\"", t->name);
    PGresult *r = run_dyn(p, sql, 0, NULL, t->name, d);
    PQclear(r);
    return r ? 0 : VG_EIO;
}

/* Loads rows v[0 .. nrows) by one COPY (identity columns take the given ids, as with
 * OVERRIDING SYSTEM VALUE). */
static int dump_load_rows(struct vg_store *st, const struct vg_dump_table *t,
                          const struct vg_dump_value *v, size_t nrows, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (!st_dump_plain_name(t->name) || t->ncols == 0 || t->ncols > VG_DUMP_COLS_MAX)
        return vg_diag_set(d, VG_EINVAL, "", "bad table");
    for (size_t i = 0; i < t->ncols; i++)
        if (!st_dump_plain_name(t->cols[i]))
            return vg_diag_set(d, VG_EINVAL, t->name, "bad column name");
    /* refused before the COPY starts: none of its rows is sent */
    for (size_t k = 0; k < nrows * t->ncols; k++)
        if (v[k].type == VG_DUMP_TEXT && v[k].len && memchr(v[k].p, '\0', v[k].len))
            return vg_diag_set(d, VG_EINVAL, t->name, "table %s: a text holds a NUL byte", t->name);
    if (!nrows)
        return 0;
    struct vg_buf sql;
    vg_buf_init(&sql, (size_t)1 << 16);
    vg_buf_printf(&sql, "COPY \"%s\"(", t->name);
    put_cols(&sql, t, false, NULL);
    vg_buf_puts(&sql, ") FROM STDIN");
    if (sql.failed) {
        vg_buf_cleanup(&sql);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    struct pg_copy c;
    int rc = pg_copy_begin(p, &c, sql.data);
    vg_buf_cleanup(&sql);
    for (size_t r = 0; !rc && r < nrows; r++) {
        for (size_t i = 0; i < t->ncols; i++) {
            const struct vg_dump_value *x = &v[r * t->ncols + i];
            char num[40];
            switch (x->type) {
            case VG_DUMP_INT: pg_copy_int(&c, x->i); break;
            case VG_DUMP_REAL:
                if (isnan(x->r))
                    snprintf(num, sizeof num, "NaN");
                else if (isinf(x->r))
                    snprintf(num, sizeof num, "%sInfinity", x->r < 0 ? "-" : "");
                else
                    snprintf(num, sizeof num, "%.17g", x->r);
                pg_copy_text(&c, num);
                break;
            case VG_DUMP_TEXT: pg_copy_textn(&c, x->p ? x->p : "", x->len); break;
            case VG_DUMP_BLOB: pg_copy_bytes(&c, x->p ? x->p : "", x->len); break;
            default: pg_copy_text(&c, NULL); break; /* VG_DUMP_NULL */
            }
        }
        rc = pg_copy_row(&c);
    }
    int end = pg_copy_end(&c, NULL);
    rc = rc ? rc : end;
    if (rc == VG_ENOMEM)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    /* the COPY's failure, kept by pg_copy_end, told as a failed statement's */
    return rc ? fail_as(p, p->err.state, p->err.msg[0] ? p->err.msg : "COPY failed", t->name, d)
              : 0;
}

static int dump_load_ids(struct vg_store *st, const struct vg_dump_table *t, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (t->id_high <= 0)
        return 0;
    if (!st_dump_plain_name(t->name))
        return vg_diag_set(d, VG_EINVAL, "", "bad table name");
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT setval(s, greatest($1::bigint, coalesce(pg_sequence_last_value(s), 0))) "
             "FROM (SELECT pg_get_serial_sequence('\"%s\"', 'id')::regclass AS s) q "
             "WHERE s IS NOT NULL",
             t->name);
    char num[24];
    snprintf(num, sizeof num, "%lld", t->id_high);
    const char *vals[1] = {num};
    PGresult *r = run_dyn(p, sql, 1, vals, t->name, d);
    PQclear(r);
    return r ? 0 : VG_EIO;
}

static int dump_load_end(struct vg_store *st, bool commit, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (!commit) {
        pg_rollback(p);
        return 0;
    }
    if (pg_exec(p, ids_sql) || pg_exec(p, enable_sql) || pg_commit(p))
        return pg_fail(p, d);
    return 0;
}

const struct vg_store_dump_ops pg_dump_ops = {
    .version = dump_version,
    .tables = dump_tables,
    .count = dump_count,
    .rows = dump_rows,
    .load_begin = dump_load_begin,
    .load_clear = dump_load_clear,
    .load_rows = dump_load_rows,
    .load_ids = dump_load_ids,
    .load_end = dump_load_end,
    .backup = NULL, /* pg_dump is PostgreSQL's backup tool */
};
