/* SQLite backend: the crisis cell (store/crisis.h): crises, members, log, sitreps, and the
 * roll-calls' acknowledgement tokens, stored by their SHA-256 only. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <string.h>

#include "store/row_int.h"
#include "util/json.h"
#include "util/time.h"

/* Rows of one crisis's child table into an array; NULL on a store failure. */
static json_t *rows_of(struct sq *s, const char *sql, long long id,
                       json_t *(*row)(const struct vg_row *r))
{
    sqlite3_stmt *q = sq_prep(s, sql);
    if (!q)
        return NULL;
    sqlite3_bind_int64(q, 1, id);
    json_t *arr = json_array();
    int step;
    struct vg_row w = vg_row_sqlite(q);
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(arr, row(&w));
    sq_done(s, q);
    if (step != SQLITE_DONE) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* A crisis in a list, for sq_page. */
static json_t *brief_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_crisis_brief(&w);
}

static int crisis_get(struct vg_store *st, long long id, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT id, title, level, state, opened, closed, incidents, "
                                 "updated, closing, review, sitrep_every_hours, reminded "
                                 "FROM crisis WHERE id = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, id);
    int step = sqlite3_step(q);
    if (step != SQLITE_ROW) {
        sq_done(s, q);
        return step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    }
    struct vg_row w = vg_row_sqlite(q);
    json_t *c = st_crisis_head(&w);
    sq_done(s, q);
    json_t *m = rows_of(s,
                        "SELECT " ST_CRISIS_MEMBER_COLS " FROM crisis_member m "
                        "WHERE m.crisis_id = ? ORDER BY m.id",
                        id, st_crisis_member);
    json_t *l = rows_of(s,
                        "SELECT id, at, author, text FROM crisis_log WHERE crisis_id = ? "
                        "ORDER BY id",
                        id, st_crisis_log);
    json_t *r = rows_of(s,
                        "SELECT number, version, title, body, tlp, author, at FROM crisis_sitrep "
                        "WHERE crisis_id = ? ORDER BY number, version",
                        id, st_crisis_sitrep);
    if (!c || !m || !l || !r) {
        json_decref(c), json_decref(m), json_decref(l), json_decref(r);
        return VG_EIO;
    }
    json_object_set_new(c, "members", m);
    json_object_set_new(c, "log", l);
    json_object_set_new(c, "sitreps", r);
    *out = c;
    return 0;
}

static int crisis_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                       struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    sqlite3_stmt *q = sq_prep(s, "SELECT id, title, level, state, opened, closed FROM crisis "
                                 "WHERE ? = 0 OR id < ? ORDER BY id DESC LIMIT ?");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int64(q, 2, after);
    sqlite3_bind_int(q, 3, page->limit + 1);
    *out = sq_page(q, page->limit, brief_row);
    sq_done(s, q);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

/* Ends a write: its audit record, the commit, and *out = the crisis read back (when out). */
static int write_end(struct vg_store *st, const struct vg_actor *who, long long id,
                     const char *action, const json_t *detail, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char obj[48];
    snprintf(obj, sizeof obj, "crisis:%lld", id);
    if (sq_audit(s, who, action, obj, detail) || sq_commit(s))
        return sq_fail(s, d);
    if (!out)
        return 0;
    int rc = crisis_get(st, id, out);
    return rc ? vg_diag_set(d, rc, "", "cannot read crisis %lld back", id) : 0;
}

/* Ends a write whose answer is the entry it made, e (taken over): audited with detail (NULL:
 * e itself), committed, then *out = e; e freed on failure. */
static int write_end_entry(struct vg_store *st, const struct vg_actor *who, long long id,
                           const char *action, const json_t *detail, json_t *e, json_t **out,
                           struct vg_diag *d)
{
    int rc = write_end(st, who, id, action, detail ? detail : e, NULL, d);
    if (rc)
        json_decref(e);
    else
        *out = e;
    return rc;
}

/* Begins a write on crisis id, which must exist: 0, or the error with d set and nothing open. */
static int write_begin(struct sq *s, long long id, struct vg_diag *d)
{
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "SELECT 1 FROM crisis WHERE id = ?");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_int64(q, 1, id);
    int step = sqlite3_step(q);
    sq_done(s, q);
    if (step == SQLITE_ROW)
        return 0;
    if (step != SQLITE_DONE)
        return sq_fail(s, d);
    sq_rollback(s);
    return vg_diag_set(d, VG_ENOENT, "id", "no crisis %lld", id);
}

static int crisis_create(struct vg_store *st, const struct vg_actor *who, const json_t *c,
                         json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO crisis(title, level, state, incidents, opened, "
                                 "updated, sitrep_every_hours) VALUES (?, ?, 'open', ?, ?, ?, ?)");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, vg_json_str(c, "title"));
    sq_bind_text(q, 2, vg_json_str(c, "level"));
    sq_bind_json(q, 3, json_object_get(c, "incidents"));
    sq_bind_text(q, 4, now);
    sq_bind_text(q, 5, now);
    sqlite3_bind_int64(q, 6, json_integer_value(json_object_get(c, "sitrep_every_hours")));
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    return write_end(st, who, sqlite3_last_insert_rowid(s->db), "crisis.create", c, out, d);
}

static int crisis_update(struct vg_store *st, const struct vg_actor *who, long long id,
                         const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    int rc = write_begin(s, id, d);
    if (rc)
        return rc;
    sqlite3_stmt *q = sq_prep(s, "UPDATE crisis SET title = coalesce(?, title), "
                                 "level = coalesce(?, level), incidents = coalesce(?, incidents), "
                                 "sitrep_every_hours = coalesce(?, sitrep_every_hours), "
                                 "updated = ? WHERE id = ?");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, vg_json_str(patch, "title"));
    sq_bind_text(q, 2, vg_json_str(patch, "level"));
    if (json_object_get(patch, "incidents"))
        sq_bind_json(q, 3, json_object_get(patch, "incidents"));
    const json_t *every = json_object_get(patch, "sitrep_every_hours");
    if (every)
        sqlite3_bind_int64(q, 4, json_integer_value(every));
    sq_bind_text(q, 5, now);
    sqlite3_bind_int64(q, 6, id);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    return write_end(st, who, id, "crisis.update", patch, out, d);
}

static int log_add(struct vg_store *st, const struct vg_actor *who, long long id, const char *text,
                   json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    int rc = write_begin(s, id, d);
    if (rc)
        return rc;
    sqlite3_stmt *q =
        sq_prep(s, "INSERT INTO crisis_log(crisis_id, at, author, text) VALUES (?, ?, ?, ?)");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_int64(q, 1, id);
    sq_bind_text(q, 2, now);
    sq_bind_text(q, 3, who->name);
    sq_bind_text(q, 4, text);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    long long lid = sqlite3_last_insert_rowid(s->db);
    json_t *e = st_crisis_log_entry(lid, now, who->name, text);
    return write_end_entry(st, who, id, "crisis.log", NULL, e, out, d);
}

static int member_add(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *m, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    int rc = write_begin(s, id, d);
    if (rc)
        return rc;
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO crisis_member(crisis_id, kind, name, email, role, "
                                 "added, partner_id, org_id, max_tlp, lang) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, 'GREEN'), ?)");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_int64(q, 1, id);
    sq_bind_text(q, 2, vg_json_str(m, "kind"));
    sq_bind_text(q, 3, vg_json_str(m, "name"));
    sq_bind_text(q, 4, vg_json_str(m, "email"));
    sq_bind_text(q, 5, vg_json_str(m, "role"));
    sq_bind_text(q, 6, now);
    if (json_object_get(m, "partner_id"))
        sqlite3_bind_int64(q, 7, json_integer_value(json_object_get(m, "partner_id")));
    if (json_object_get(m, "org_id"))
        sqlite3_bind_int64(q, 8, json_integer_value(json_object_get(m, "org_id")));
    sq_bind_text(q, 9, vg_json_str(m, "max_tlp"));
    sq_bind_text(q, 10, vg_json_str(m, "lang") ? vg_json_str(m, "lang") : "");
    if (sqlite3_step(q) != SQLITE_DONE) {
        bool dup = sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE;
        rc = dup ? vg_diag_set(d, VG_EEXIST, "/email", "/email: the crisis has that member")
                 : sq_db_error(s, d);
        sq_done(s, q);
        sq_rollback(s);
        return rc;
    }
    sq_done(s, q);
    json_t *e = json_deep_copy(m);
    json_object_set_new(e, "id", json_integer(sqlite3_last_insert_rowid(s->db)));
    json_object_set_new(e, "added", json_string(now));
    return write_end_entry(st, who, id, "crisis.member.add", NULL, e, out, d);
}

static int sitrep_add(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *sr, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    int rc = write_begin(s, id, d);
    if (rc)
        return rc;
    long long number = json_integer_value(json_object_get(sr, "number")), version = 1;
    sqlite3_stmt *q = sq_prep(s, "SELECT coalesce(max(number), 0), coalesce(max(CASE WHEN "
                                 "number = ? THEN version END), 0) FROM crisis_sitrep "
                                 "WHERE crisis_id = ?");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_int64(q, 1, number);
    sqlite3_bind_int64(q, 2, id);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sq_done(s, q);
        return sq_fail(s, d);
    }
    long long last = sqlite3_column_int64(q, 0), vmax = sqlite3_column_int64(q, 1);
    sq_done(s, q);
    if ((rc = st_crisis_sitrep_number(id, last, vmax, &number, &version, d))) {
        sq_rollback(s);
        return rc;
    }
    q = sq_prep(s, "INSERT INTO crisis_sitrep(crisis_id, number, version, title, body, tlp, "
                   "author, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, number);
    sqlite3_bind_int64(q, 3, version);
    sq_bind_text(q, 4, vg_json_str(sr, "title"));
    sq_bind_text(q, 5, vg_json_str(sr, "body"));
    sq_bind_text(q, 6, vg_json_str(sr, "tlp"));
    sq_bind_text(q, 7, who->name);
    sq_bind_text(q, 8, now);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    json_t *detail;
    json_t *e = st_crisis_sitrep_entry(number, version, sr, who->name, now, &detail);
    rc = write_end_entry(st, who, id, "crisis.sitrep", detail, e, out, d);
    json_decref(detail);
    return rc;
}

/* The number of crisis id's last roll-call (0: none) into *no, inside a write: 0, or the
 * store's error (rolled back). */
static int last_rollcall(struct sq *s, long long id, long long *no, struct vg_diag *d)
{
    sqlite3_stmt *q =
        sq_prep(s, "SELECT coalesce(max(rollcall), 0) FROM crisis_ack WHERE crisis_id = ?");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sq_done(s, q);
        return sq_fail(s, d);
    }
    *no = sqlite3_column_int64(q, 0);
    sq_done(s, q);
    return 0;
}

/* Begins a roll-call's write on crisis id: now and the last roll-call's number. */
static int rollcall_begin(struct sq *s, long long id, char now[VG_TIME_LEN], long long *no,
                          struct vg_diag *d)
{
    vg_time_now(now);
    *no = 0;
    int rc = write_begin(s, id, d);
    return rc ? rc : last_rollcall(s, id, no, d);
}

static int rollcall(struct vg_store *st, const struct vg_actor *who, long long id,
                    const struct vg_crisis_token *toks, size_t n, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    long long no;
    int rc = rollcall_begin(s, id, now, &no, d);
    if (rc)
        return rc;
    no++;
    sqlite3_stmt *q;
    for (size_t i = 0; i < n; i++) {
        q = sq_prep(s, "INSERT INTO crisis_ack(crisis_id, rollcall, member_id, hash, sent) "
                       "SELECT crisis_id, ?, id, ?, ? FROM crisis_member "
                       "WHERE id = ? AND crisis_id = ?");
        if (!q)
            return sq_fail(s, d);
        sqlite3_bind_int64(q, 1, no);
        sqlite3_bind_blob(q, 2, toks[i].hash, 32, SQLITE_TRANSIENT);
        sq_bind_text(q, 3, now);
        sqlite3_bind_int64(q, 4, toks[i].member_id);
        sqlite3_bind_int64(q, 5, id);
        if (sq_step_done(s, q))
            return sq_fail(s, d);
        if (sqlite3_changes(s->db) != 1) {
            sq_rollback(s);
            return vg_diag_set(d, VG_ENOENT, "", "crisis %lld has no member %lld", id,
                               toks[i].member_id);
        }
    }
    json_t *e = st_crisis_call_entry(no, now, n);
    return write_end_entry(st, who, id, "crisis.rollcall", NULL, e, out, d);
}

static int ack(struct vg_store *st, const unsigned char hash[32], json_t **out, struct vg_diag *d)
{
    static const struct vg_actor acker = {0, "ack", "", 0};
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "SELECT id, crisis_id, rollcall, member_id, acked IS NOT NULL "
                                 "FROM crisis_ack WHERE hash = ?");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_blob(q, 1, hash, 32, SQLITE_TRANSIENT);
    int step = sqlite3_step(q);
    long long aid = 0, cid = 0, no = 0, member = 0;
    int used = 0;
    if (step == SQLITE_ROW) {
        aid = sqlite3_column_int64(q, 0);
        cid = sqlite3_column_int64(q, 1);
        no = sqlite3_column_int64(q, 2);
        member = sqlite3_column_int64(q, 3);
        used = sqlite3_column_int(q, 4);
    }
    sq_done(s, q);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return sq_fail(s, d);
    if (step == SQLITE_DONE || used) {
        sq_rollback(s);
        return step == SQLITE_DONE ? vg_diag_set(d, VG_ENOENT, "token", "unknown token")
                                   : vg_diag_set(d, VG_ECONFLICT, "token", "token already used");
    }
    q = sq_prep(s, "UPDATE crisis_ack SET acked = ? WHERE id = ? AND acked IS NULL");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, now);
    sqlite3_bind_int64(q, 2, aid);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    json_t *detail;
    json_t *e = st_crisis_ack_entry(cid, no, member, now, &detail);
    int rc = write_end_entry(st, &acker, cid, "crisis.ack", detail, e, out, d);
    json_decref(detail);
    return rc;
}

static int pending(struct vg_store *st, long long id, const char *before, json_t **out,
                   struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    json_t *c = NULL;
    int rc = crisis_get(st, id, &c);
    json_decref(c);
    if (rc)
        return rc == VG_ENOENT ? vg_diag_set(d, rc, "id", "no crisis %lld", id) : sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "SELECT coalesce(max(rollcall), 0), max(sent) FROM crisis_ack "
                                 "WHERE crisis_id = ?");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sq_done(s, q);
        return sq_db_error(s, d);
    }
    long long no = sqlite3_column_int64(q, 0);
    json_t *sent = sq_col_null(q, 1);
    sq_done(s, q);
    json_t *p = json_array(), *a = json_array();
    q = sq_prep(s, "SELECT " ST_CRISIS_MEMBER_COLS ", k.acked, k.sent <= ? FROM crisis_ack k "
                   "JOIN crisis_member m ON m.id = k.member_id "
                   "WHERE k.crisis_id = ? AND k.rollcall = ? ORDER BY m.id");
    if (!q) {
        json_decref(sent), json_decref(p), json_decref(a);
        return sq_db_error(s, d);
    }
    sq_bind_text(q, 1, before);
    sqlite3_bind_int64(q, 2, id);
    sqlite3_bind_int64(q, 3, no);
    int step;
    struct vg_row w = vg_row_sqlite(q);
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (sqlite3_column_type(q, 10) != SQLITE_NULL)
            json_array_append_new(a, st_crisis_pending_member(&w));
        else if (sqlite3_column_int(q, 11))
            json_array_append_new(p, st_crisis_pending_member(&w));
    }
    sq_done(s, q);
    if (step != SQLITE_DONE) {
        json_decref(sent), json_decref(p), json_decref(a);
        return sq_db_error(s, d);
    }
    *out = json_pack("{s:I,s:o,s:o,s:o}", "rollcall", (json_int_t)no, "sent", sent, "pending", p,
                     "acknowledged", a);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int crisis_close(struct vg_store *st, const struct vg_actor *who, long long id,
                        const char *now, const json_t *closing, const char *review, json_t **out,
                        struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    int rc = write_begin(s, id, d);
    if (rc)
        return rc;
    sqlite3_stmt *q = sq_prep(s, "UPDATE crisis SET state = 'closed', closed = ?, closing = ?, "
                                 "review = ?, updated = ? WHERE id = ? AND state = 'open'");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, now);
    sq_bind_json(q, 2, closing);
    sq_bind_text(q, 3, review);
    sq_bind_text(q, 4, now);
    sqlite3_bind_int64(q, 5, id);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    if (sqlite3_changes(s->db) == 0) {
        sq_rollback(s);
        return vg_diag_set(d, VG_ECONFLICT, "state", "crisis %lld is closed", id);
    }
    return write_end(st, who, id, "crisis.close", closing, out, d);
}

static int resend(struct vg_store *st, const struct vg_actor *who, long long id,
                  const struct vg_crisis_token *toks, size_t n, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    long long no;
    int rc = rollcall_begin(s, id, now, &no, d);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    if (no == 0) {
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "rollcall", "crisis %lld has no roll-call to re-send", id);
    }
    for (size_t i = 0; i < n; i++) {
        q = sq_prep(s, "UPDATE crisis_ack SET hash = ?, sent = ? WHERE crisis_id = ? AND "
                       "rollcall = ? AND member_id = ? AND acked IS NULL");
        if (!q)
            return sq_fail(s, d);
        sqlite3_bind_blob(q, 1, toks[i].hash, 32, SQLITE_TRANSIENT);
        sq_bind_text(q, 2, now);
        sqlite3_bind_int64(q, 3, id);
        sqlite3_bind_int64(q, 4, no);
        sqlite3_bind_int64(q, 5, toks[i].member_id);
        if (sq_step_done(s, q))
            return sq_fail(s, d);
        if (sqlite3_changes(s->db) != 1) {
            sq_rollback(s);
            return vg_diag_set(d, VG_ENOENT, "", "member %lld has no unanswered call",
                               toks[i].member_id);
        }
    }
    json_t *e = st_crisis_call_entry(no, now, n);
    return write_end_entry(st, who, id, "crisis.rollcall.resend", NULL, e, out, d);
}

static int scheduled(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    json_t *items = rows_of(s,
                            "SELECT c.id, c.sitrep_every_hours, coalesce((SELECT max(at) FROM "
                            "crisis_sitrep r WHERE r.crisis_id = c.id), c.opened), c.reminded "
                            "FROM crisis c WHERE c.state = 'open' AND c.sitrep_every_hours > ? "
                            "ORDER BY c.id",
                            0, st_crisis_scheduled);
    if (!items)
        return sq_db_error(s, d);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

static int reminded(struct vg_store *st, const struct vg_actor *who, long long id, const char *when,
                    struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    int rc = write_begin(s, id, d);
    if (rc)
        return rc;
    sqlite3_stmt *q = sq_prep(s, "UPDATE crisis SET reminded = ? WHERE id = ?");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, when);
    sqlite3_bind_int64(q, 2, id);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    json_t *detail = json_pack("{s:s}", "at", when);
    rc = write_end(st, who, id, "crisis.remind", detail, NULL, d);
    json_decref(detail);
    return rc;
}

const struct vg_store_crisis_ops sq_crisis_ops = {
    .create = crisis_create,
    .get = crisis_get,
    .list = crisis_list,
    .update = crisis_update,
    .log_add = log_add,
    .member_add = member_add,
    .sitrep_add = sitrep_add,
    .rollcall = rollcall,
    .ack = ack,
    .pending = pending,
    .close = crisis_close,
    .resend = resend,
    .scheduled = scheduled,
    .reminded = reminded,
};
