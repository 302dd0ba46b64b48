/* SQLite backend: the TAXII 2.1 server's collections, object versions and status resources.
 * A query of objects is built from its filters (each list bound parameter by parameter) and
 * read in (collection, date_added) order, the primary key's: a page is one range scan. */
#include "store/sqlite_int.h"

#include <string.h>

#include "store/row_int.h"
#include "util/buf.h"
#include "util/time.h"

static json_t *coll_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_taxii_coll(&w);
}

static int coll_get(struct vg_store *st, const char *id, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q =
        sq_prep(s, "SELECT " ST_TAXII_COLL_COLS " FROM taxii_collection WHERE id = ?");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = coll_row(q);
        rc = *out ? 0 : VG_ENOMEM;
    } else {
        rc = rc == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    }
    sq_done(s, q);
    return rc;
}

/* The internal key of collection id: > 0, 0 if there is none, -1 on error. */
static long long coll_seq(struct sq *s, const char *id)
{
    sqlite3_stmt *q = sq_prep(s, "SELECT seq FROM taxii_collection WHERE id = ?");
    if (!q)
        return -1;
    sq_bind_text(q, 1, id);
    int rc = sqlite3_step(q);
    long long seq = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : rc == SQLITE_DONE ? 0 : -1;
    sq_done(s, q);
    return seq;
}

static int coll_create(struct vg_store *st, const struct vg_actor *who, const json_t *coll,
                       json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    const char *id = json_string_value(json_object_get(coll, "id"));
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO taxii_collection(id, title, description, readers, "
                                 "writers, created, updated) VALUES (?,?,?,?,?,?,?)");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, id);
    sq_bind_text(q, 2, json_string_value(json_object_get(coll, "title")));
    const char *desc = json_string_value(json_object_get(coll, "description"));
    sq_bind_text(q, 3, desc ? desc : "");
    sq_bind_json(q, 4, json_object_get(coll, "readers"));
    sq_bind_json(q, 5, json_object_get(coll, "writers"));
    sq_bind_text(q, 6, now);
    sq_bind_text(q, 7, now);
    if (sqlite3_step(q) != SQLITE_DONE) {
        bool taken = sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE;
        sq_done(s, q);
        if (!taken)
            return sq_fail(s, d);
        sq_rollback(s);
        return vg_diag_set(d, VG_EEXIST, "/id", "a collection %s exists", id);
    }
    sq_done(s, q);
    char obj[64];
    snprintf(obj, sizeof obj, "taxii-collection:%s", id);
    if (sq_audit(s, who, "taxii.collection.create", obj, coll) || sq_commit(s))
        return sq_fail(s, d);
    return coll_get(st, id, out);
}

static int coll_list(struct vg_store *st, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q =
        sq_prep(s, "SELECT " ST_TAXII_COLL_COLS " FROM taxii_collection ORDER BY seq");
    if (!q)
        return VG_EIO;
    json_t *a = json_array();
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if (json_array_append_new(a, coll_row(q)))
            break;
    sq_done(s, q);
    if (rc != SQLITE_DONE) {
        json_decref(a);
        return rc == SQLITE_ROW ? VG_ENOMEM : VG_EIO;
    }
    *out = a;
    return a ? 0 : VG_ENOMEM;
}

static int coll_update(struct vg_store *st, const struct vg_actor *who, const char *id,
                       const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    json_t *cur = NULL;
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    int rc = coll_get(st, id, &cur);
    if (rc) {
        sq_rollback(s);
        return rc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "id", "no collection %s", id)
                               : sq_db_error(s, d);
    }
    json_object_update(cur, (json_t *)patch);
    sqlite3_stmt *q = sq_prep(s, "UPDATE taxii_collection SET title = ?, description = ?, "
                                 "readers = ?, writers = ?, updated = ? WHERE id = ?");
    if (!q) {
        json_decref(cur);
        return sq_fail(s, d);
    }
    sq_bind_text(q, 1, json_string_value(json_object_get(cur, "title")));
    sq_bind_text(q, 2, json_string_value(json_object_get(cur, "description")));
    sq_bind_json(q, 3, json_object_get(cur, "readers"));
    sq_bind_json(q, 4, json_object_get(cur, "writers"));
    sq_bind_text(q, 5, now);
    sq_bind_text(q, 6, id);
    json_decref(cur);
    char obj[64];
    snprintf(obj, sizeof obj, "taxii-collection:%s", id);
    if (sq_step_done(s, q) || sq_audit(s, who, "taxii.collection.update", obj, patch) ||
        sq_commit(s))
        return sq_fail(s, d);
    return coll_get(st, id, out);
}

static int obj_add(struct vg_store *st, const char *coll, long long now_us,
                   const struct vg_taxii_new *o, long long *added, bool *dup, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    *dup = false;
    if (sq_begin(s))
        return sq_db_error(s, d);
    long long seq = coll_seq(s, coll);
    if (seq <= 0) {
        if (seq < 0)
            return sq_fail(s, d);
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "id", "no collection %s", coll);
    }
    sqlite3_stmt *q = sq_prep(s, "SELECT 1 FROM taxii_object WHERE coll = ? AND id = ? AND "
                                 "version_us = ?");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_int64(q, 1, seq);
    sq_bind_text(q, 2, o->id);
    sqlite3_bind_int64(q, 3, o->version_us);
    int rc = sqlite3_step(q);
    sq_done(s, q);
    if (rc == SQLITE_ROW) {
        *dup = true;
        sq_rollback(s);
        return 0;
    }
    if (rc != SQLITE_DONE)
        return sq_fail(s, d);
    /* the last date_added of the collection: the primary key's last entry */
    q = sq_prep(s, "SELECT max(added) FROM taxii_object WHERE coll = ?");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_int64(q, 1, seq);
    long long last = 0;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        last = sqlite3_column_int64(q, 0);
    sq_done(s, q);
    if (rc != SQLITE_ROW)
        return sq_fail(s, d);
    long long at = now_us > last ? now_us : last + 1;
    q = sq_prep(s, "INSERT INTO taxii_object(coll, added, id, type, spec_version, version, "
                   "version_us, tlp, source, object) VALUES (?,?,?,?,?,?,?,?,?,?)");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_int64(q, 1, seq);
    sqlite3_bind_int64(q, 2, at);
    sq_bind_text(q, 3, o->id);
    sq_bind_text(q, 4, o->type);
    sq_bind_text(q, 5, o->spec_version);
    sq_bind_text(q, 6, o->version);
    sqlite3_bind_int64(q, 7, o->version_us);
    sqlite3_bind_int(q, 8, o->tlp);
    sq_bind_text(q, 9, o->source);
    sqlite3_bind_text(q, 10, o->object, (int)o->object_len, SQLITE_TRANSIENT);
    if (sq_step_done(s, q) || sq_commit(s))
        return sq_fail(s, d);
    *added = at;
    return 0;
}

/* Appends " AND col IN (?,...)" for n values (nothing when n is 0). */
static void put_in(struct vg_buf *b, const char *col, size_t n)
{
    if (!n)
        return;
    vg_buf_printf(b, " AND %s IN (", col);
    for (size_t i = 0; i < n; i++)
        vg_buf_puts(b, i ? ",?" : "?");
    vg_buf_putc(b, ')');
}

/* The WHERE clause of q after "coll = ?" (and "added > ?" when with_after), into b. */
static void put_where(struct vg_buf *b, const struct vg_taxii_query *q, bool with_after)
{
    vg_buf_puts(b, " WHERE o.coll = ?");
    /* with ids, the (collection, id, version) index finds their few rows: "+" keeps SQLite
     * from scanning the collection in date_added order instead (it would, to skip the sort) */
    if (with_after)
        vg_buf_puts(b, q->n_ids ? " AND +o.added > ?" : " AND o.added > ?");
    put_in(b, "o.id", q->n_ids);
    put_in(b, "o.type", q->n_types);
    put_in(b, "o.spec_version", q->n_specs);
    unsigned v = q->versions ? q->versions : VG_TAXII_V_LAST;
    if (v & VG_TAXII_V_ALL)
        return;
    const char *sep = " AND (";
    if (v & VG_TAXII_V_LAST) {
        vg_buf_printf(b,
                      "%sNOT EXISTS (SELECT 1 FROM taxii_object n WHERE n.coll = o.coll AND "
                      "n.id = o.id AND n.version_us > o.version_us)",
                      sep);
        sep = " OR ";
    }
    if (v & VG_TAXII_V_FIRST) {
        vg_buf_printf(b,
                      "%sNOT EXISTS (SELECT 1 FROM taxii_object n WHERE n.coll = o.coll AND "
                      "n.id = o.id AND n.version_us < o.version_us)",
                      sep);
        sep = " OR ";
    }
    if (v & VG_TAXII_V_AT) {
        vg_buf_printf(b, "%so.version_us IN (", sep);
        for (size_t i = 0; i < q->n_at; i++)
            vg_buf_puts(b, i ? ",?" : "?");
        if (!q->n_at) /* no version asked: none matches ("IN ()" is no SQL) */
            vg_buf_puts(b, "NULL");
        vg_buf_putc(b, ')');
        sep = " OR ";
    }
    vg_buf_putc(b, ')');
}

/* Binds the parameters put_where wrote, from index i; returns the next index. */
static int bind_where(sqlite3_stmt *st, int i, long long seq, const struct vg_taxii_query *q,
                      bool with_after)
{
    sqlite3_bind_int64(st, i++, seq);
    if (with_after)
        sqlite3_bind_int64(st, i++, q->after);
    for (size_t k = 0; k < q->n_ids; k++)
        sq_bind_text(st, i++, q->ids[k]);
    for (size_t k = 0; k < q->n_types; k++)
        sq_bind_text(st, i++, q->types[k]);
    for (size_t k = 0; k < q->n_specs; k++)
        sq_bind_text(st, i++, q->specs[k]);
    unsigned v = q->versions ? q->versions : VG_TAXII_V_LAST;
    if (!(v & VG_TAXII_V_ALL) && (v & VG_TAXII_V_AT))
        for (size_t k = 0; k < q->n_at; k++)
            sqlite3_bind_int64(st, i++, q->at[k]);
    return i;
}

/* Prepares a statement built at run time (its filters vary): not cached. */
static sqlite3_stmt *prepare(struct sq *s, struct vg_buf *b)
{
    sqlite3_stmt *st = NULL;
    if (b->failed || sqlite3_prepare_v2(s->db, b->data, (int)b->len, &st, NULL) != SQLITE_OK)
        st = NULL;
    vg_buf_cleanup(b);
    return st;
}

static int obj_query(struct vg_store *st, const struct vg_taxii_query *q, vg_taxii_row_fn fn,
                     void *ctx, bool *more)
{
    struct sq *s = sq_of(st);
    *more = false;
    long long seq = coll_seq(s, q->coll);
    if (seq <= 0)
        return seq == 0 ? VG_ENOENT : VG_EIO;
    struct vg_buf b;
    vg_buf_init(&b, 1 << 20);
    vg_buf_puts(&b, "SELECT o.added, o.id, o.type, o.spec_version, o.version, o.tlp, o.object "
                    "FROM taxii_object o");
    put_where(&b, q, true);
    vg_buf_puts(&b, q->n_ids ? " ORDER BY +o.added LIMIT ?" : " ORDER BY o.added LIMIT ?");
    sqlite3_stmt *sel = prepare(s, &b);
    if (!sel)
        return VG_EIO;
    int i = bind_where(sel, 1, seq, q, true);
    sqlite3_bind_int(sel, i, q->limit + 1);
    int rc, n = 0, out = 0;
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        if (n++ == q->limit) {
            *more = true;
            continue;
        }
        struct vg_row w = vg_row_sqlite(sel);
        struct vg_taxii_row row;
        st_taxii_object(&w, &row);
        if ((out = fn(ctx, &row)) != 0)
            break;
    }
    sqlite3_finalize(sel);
    if (out)
        return out;
    return rc == SQLITE_DONE ? 0 : VG_EIO;
}

static int obj_delete(struct vg_store *st, const struct vg_actor *who,
                      const struct vg_taxii_query *q, long long *deleted, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    *deleted = 0;
    if (sq_begin(s))
        return sq_db_error(s, d);
    long long seq = coll_seq(s, q->coll);
    if (seq <= 0) {
        if (seq < 0)
            return sq_fail(s, d);
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "id", "no collection %s", q->coll);
    }
    /* the rows to go are chosen first (the version filters look at the others) */
    struct vg_buf b;
    vg_buf_init(&b, 1 << 20);
    vg_buf_puts(&b, "DELETE FROM taxii_object WHERE (coll, added) IN (SELECT o.coll, o.added "
                    "FROM taxii_object o");
    put_where(&b, q, false);
    vg_buf_putc(&b, ')');
    sqlite3_stmt *del = prepare(s, &b);
    if (!del)
        return sq_fail(s, d);
    bind_where(del, 1, seq, q, false);
    int rc = sqlite3_step(del);
    sqlite3_finalize(del);
    if (rc != SQLITE_DONE)
        return sq_fail(s, d);
    *deleted = sqlite3_changes(s->db);
    char obj[128];
    snprintf(obj, sizeof obj, "taxii-collection:%s", q->coll);
    json_t *detail =
        json_pack("{s:s?,s:I}", "id", q->n_ids ? q->ids[0] : NULL, "deleted", (json_int_t)*deleted);
    rc = sq_audit(s, who, "taxii.object.delete", obj, detail);
    json_decref(detail);
    if (rc || sq_commit(s))
        return sq_fail(s, d);
    return 0;
}

static int status_put(struct vg_store *st, const char *id, long long partner_id,
                      const json_t *status, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO taxii_status(id, partner_id, created, status) "
                                 "VALUES (?,?,?,?)");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, id);
    sqlite3_bind_int64(q, 2, partner_id);
    sq_bind_text(q, 3, now);
    sq_bind_json(q, 4, status);
    if (sq_step_done(s, q) || sq_commit(s))
        return sq_fail(s, d);
    return 0;
}

static int status_get(struct vg_store *st, const char *id, long long *partner_id, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT partner_id, status FROM taxii_status WHERE id = ?");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *partner_id = sqlite3_column_int64(q, 0);
        *out = sq_col_json(q, 1);
        rc = *out ? 0 : VG_ENOMEM;
    } else {
        rc = rc == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    }
    sq_done(s, q);
    return rc;
}

const struct vg_store_taxii_ops sq_taxii_ops = {
    .coll_create = coll_create,
    .coll_get = coll_get,
    .coll_list = coll_list,
    .coll_update = coll_update,
    .obj_add = obj_add,
    .obj_query = obj_query,
    .obj_delete = obj_delete,
    .status_put = status_put,
    .status_get = status_get,
};
