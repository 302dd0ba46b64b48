/* SQLite backend: the outbox of outbound mail (store/mail.h). */
#include <string.h>

#include "store/row_int.h"
#include "store/sqlite_int.h"
#include "util/time.h"

static json_t *mail_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_mail(&w);
}

static int mail_queue(struct vg_store *st, const json_t *msg, long long *id, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    const char *mid = json_string_value(json_object_get(msg, "message_id"));
    const char *kind = json_string_value(json_object_get(msg, "kind"));
    const char *object = json_string_value(json_object_get(msg, "object"));
    const char *subject = json_string_value(json_object_get(msg, "subject"));
    const char *text = json_string_value(json_object_get(msg, "text"));
    const char *html = json_string_value(json_object_get(msg, "html"));
    const json_t *to = json_object_get(msg, "to");
    /* the message's shape is checked by vg_store_mail_queue (store_mail.c) */
    char now[VG_TIME_LEN];
    vg_time_fmt(time(NULL), now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO outbox(message_id, kind, object, recipients, "
                                 "subject, body_text, body_html, next_attempt, created, updated) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?)");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, mid);
    sq_bind_text(q, 2, kind);
    sq_bind_text(q, 3, object ? object : "");
    sq_bind_json(q, 4, to);
    sq_bind_text(q, 5, subject);
    sq_bind_text(q, 6, text);
    sq_bind_text(q, 7, html ? html : "");
    sq_bind_text(q, 8, now);
    sq_bind_text(q, 9, now);
    sq_bind_text(q, 10, now);
    if (sq_step_done(s, q)) {
        if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE) {
            sq_rollback(s);
            return vg_diag_set(d, VG_EEXIST, "message_id", "Message-ID already queued");
        }
        return sq_fail(s, d);
    }
    long long rid = (long long)sqlite3_last_insert_rowid(s->db);
    if (sq_commit(s))
        return sq_fail(s, d);
    if (id)
        *id = rid;
    return 0;
}

static int mail_claim(struct vg_store *st, const char *now, const char *until, int limit,
                      json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    *out = NULL;
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "SELECT " ST_MAIL_COLS " FROM outbox WHERE state = 'queued' AND "
                                 "next_attempt <= ? ORDER BY next_attempt, id LIMIT ?");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, now);
    sqlite3_bind_int(q, 2, limit);
    json_t *items = json_array();
    int rc = items ? 0 : VG_ENOMEM, step;
    while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
        json_t *row = mail_row(q);
        if (!row || json_array_append_new(items, row))
            rc = VG_ENOMEM;
    }
    if (!rc && step != SQLITE_DONE)
        rc = VG_EIO;
    sq_done(s, q);
    size_t i;
    json_t *m;
    json_array_foreach(items, i, m) {
        if (rc)
            break;
        json_int_t n = json_integer_value(json_object_get(m, "attempts")) + 1;
        json_object_set_new(m, "attempts", json_integer(n));
        sqlite3_stmt *u = sq_prep(s, "UPDATE outbox SET attempts = attempts + 1, "
                                     "next_attempt = ?, updated = ? WHERE id = ?");
        if (!u) {
            rc = VG_EIO;
            break;
        }
        sq_bind_text(u, 1, until);
        sq_bind_text(u, 2, now);
        sqlite3_bind_int64(u, 3, (sqlite3_int64)json_integer_value(json_object_get(m, "id")));
        if (sq_step_done(s, u))
            rc = VG_EIO;
    }
    if (!rc && sq_commit(s))
        rc = VG_EIO;
    if (rc) {
        json_decref(items);
        if (rc == VG_ENOMEM) {
            sq_rollback(s);
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        }
        return sq_fail(s, d);
    }
    *out = json_pack("{s:o}", "items", items);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int mail_mark(struct vg_store *st, long long id, const char *state, const char *next,
                     const char *answer, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    /* state checked, next given for a retry only: vg_store_mail_mark */
    char now[VG_TIME_LEN];
    vg_time_fmt(time(NULL), now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "UPDATE outbox SET state = ?, "
                                 "next_attempt = coalesce(?, next_attempt), "
                                 "last_answer = coalesce(?, last_answer), updated = ? "
                                 "WHERE id = ?");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, state);
    sq_bind_text(q, 2, next);
    sq_bind_text(q, 3, answer);
    sq_bind_text(q, 4, now);
    sqlite3_bind_int64(q, 5, id);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    int changed = sqlite3_changes(s->db);
    if (sq_commit(s))
        return sq_fail(s, d);
    if (!changed)
        return vg_diag_set(d, VG_ENOENT, "id", "no message %lld in the outbox", id);
    return 0;
}

static int mail_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                     json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    const char *state = json_string_value(json_object_get(filters, "state"));
    sqlite3_stmt *q = sq_prep(s, "SELECT " ST_MAIL_COLS " FROM outbox WHERE id > ? AND "
                                 "(?2 IS NULL OR state = ?2) ORDER BY id LIMIT ?3");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, after);
    sq_bind_text(q, 2, state);
    sqlite3_bind_int(q, 3, page->limit + 1);
    *out = sq_page(q, page->limit, mail_row);
    sq_done(s, q);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

const struct vg_store_mail_ops sq_mail_ops = {
    .queue = mail_queue,
    .claim = mail_claim,
    .mark = mail_mark,
    .list = mail_list,
};
