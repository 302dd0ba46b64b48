/* SQLite backend: inbound mail (store/inbound.h). */
#include <stdlib.h>
#include <string.h>

#include "store/row_int.h"
#include "store/sqlite_int.h"
#include "util/time.h"

static json_t *inbound_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_inbound(&w);
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

static int inbound_add(struct vg_store *st, const struct vg_inbound_new *m, long long *id,
                       struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    /* its outcome, hash and bytes checked by vg_store_inbound_add */
    char now[VG_TIME_LEN];
    vg_time_fmt(time(NULL), now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO inbound(message_id, sha256, size, sender, subject, "
                                 "received, outcome, reason, ref, queue_id, raw) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, nz(m->message_id));
    sq_bind_text(q, 2, m->sha256);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)m->size);
    sq_bind_text(q, 4, nz(m->sender));
    sq_bind_text(q, 5, nz(m->subject));
    sq_bind_text(q, 6, now);
    sq_bind_text(q, 7, m->outcome);
    sq_bind_text(q, 8, nz(m->reason));
    sq_bind_text(q, 9, nz(m->ref));
    if (m->queue_id)
        sqlite3_bind_int64(q, 10, m->queue_id);
    else
        sqlite3_bind_null(q, 10);
    sqlite3_bind_blob64(q, 11, m->raw ? (const void *)m->raw : "", (sqlite3_uint64)m->size,
                        SQLITE_STATIC);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    long long rid = (long long)sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < m->n_att; i++) {
        const struct vg_inbound_att *a = &m->att[i];
        sqlite3_stmt *u = sq_prep(s, "INSERT INTO inbound_attachment(inbound_id, name, "
                                     "media_type, size, sha256, is_archive, data) "
                                     "VALUES (?,?,?,?,?,?,?)");
        if (!u)
            return sq_fail(s, d);
        sqlite3_bind_int64(u, 1, rid);
        sq_bind_text(u, 2, nz(a->name));
        sq_bind_text(u, 3, nz(a->media_type));
        sqlite3_bind_int64(u, 4, (sqlite3_int64)a->size);
        sq_bind_text(u, 5, nz(a->sha256));
        sqlite3_bind_int(u, 6, a->is_archive);
        if (a->data)
            sqlite3_bind_blob64(u, 7, a->data, (sqlite3_uint64)a->size, SQLITE_STATIC);
        else
            sqlite3_bind_null(u, 7);
        if (sq_step_done(s, u))
            return sq_fail(s, d);
    }
    if (sq_commit(s))
        return sq_fail(s, d);
    if (id)
        *id = rid;
    return 0;
}

static int inbound_find(struct vg_store *st, const char *message_id, const char *sha256,
                        long long *id)
{
    struct sq *s = sq_of(st);
    bool by_mid = message_id && *message_id;
    sqlite3_stmt *q =
        by_mid ? sq_prep(s, "SELECT id FROM inbound WHERE message_id = ? AND "
                            "message_id <> '' ORDER BY id LIMIT 1")
               : sq_prep(s, "SELECT id FROM inbound WHERE sha256 = ? AND message_id = '' "
                            "ORDER BY id LIMIT 1");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, by_mid ? message_id : nz(sha256));
    int step = sqlite3_step(q), rc = VG_ENOENT;
    if (step == SQLITE_ROW) {
        *id = (long long)sqlite3_column_int64(q, 0);
        rc = 0;
    } else if (step != SQLITE_DONE) {
        rc = VG_EIO;
    }
    sq_done(s, q);
    return rc;
}

static int inbound_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                        json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long before;
    if (sq_cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    const char *outcome = json_string_value(json_object_get(filters, "outcome"));
    sqlite3_stmt *q =
        sq_prep(s, "SELECT " ST_INBOUND_COLS " FROM inbound WHERE (?1 = 0 OR id < ?1) AND "
                   "(?2 IS NULL OR outcome = ?2) ORDER BY id DESC LIMIT ?3");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, before);
    sq_bind_text(q, 2, outcome);
    sqlite3_bind_int(q, 3, page->limit + 1);
    *out = sq_page(q, page->limit, inbound_row);
    sq_done(s, q);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static json_t *att_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_inbound_attachment(&w);
}

static int inbound_get(struct vg_store *st, long long id, json_t **out)
{
    struct sq *s = sq_of(st);
    *out = NULL;
    sqlite3_stmt *q = sq_prep(s, "SELECT " ST_INBOUND_COLS " FROM inbound WHERE id = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, id);
    int step = sqlite3_step(q);
    json_t *m = step == SQLITE_ROW ? inbound_row(q) : NULL;
    sq_done(s, q);
    if (step == SQLITE_DONE)
        return VG_ENOENT;
    if (step != SQLITE_ROW)
        return VG_EIO;
    if (!m)
        return VG_ENOMEM;
    json_t *atts = json_array();
    q = sq_prep(s, "SELECT id, name, media_type, size, sha256, is_archive, data IS NOT NULL "
                   "FROM inbound_attachment WHERE inbound_id = ? ORDER BY id");
    if (!q || !atts) {
        if (q)
            sq_done(s, q);
        json_decref(atts);
        json_decref(m);
        return q ? VG_ENOMEM : VG_EIO;
    }
    sqlite3_bind_int64(q, 1, id);
    int rc = 0;
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        if (json_array_append_new(atts, att_row(q)))
            rc = VG_ENOMEM;
    if (step != SQLITE_DONE)
        rc = VG_EIO;
    sq_done(s, q);
    if (!rc && json_object_set_new(m, "attachments", atts))
        rc = VG_ENOMEM;
    else if (rc)
        json_decref(atts);
    if (rc) {
        json_decref(m);
        return rc;
    }
    *out = m;
    return 0;
}

static int inbound_raw(struct vg_store *st, long long id, unsigned char **data, size_t *len)
{
    struct sq *s = sq_of(st);
    *data = NULL;
    *len = 0;
    sqlite3_stmt *q = sq_prep(s, "SELECT raw FROM inbound WHERE id = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, id);
    int step = sqlite3_step(q), rc = 0;
    if (step == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(q, 0);
        const void *b = sqlite3_column_blob(q, 0);
        *data = malloc(n ? n : 1);
        if (!*data)
            rc = VG_ENOMEM;
        else if (n)
            memcpy(*data, b, n);
        *len = n;
    } else {
        rc = step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    }
    sq_done(s, q);
    return rc;
}

const struct vg_store_inbound_ops sq_inbound_ops = {
    .add = inbound_add,
    .find = inbound_find,
    .list = inbound_list,
    .get = inbound_get,
    .raw = inbound_raw,
};
