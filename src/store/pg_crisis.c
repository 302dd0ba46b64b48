/* PostgreSQL backend: the crisis cell (store/crisis.h): crises, members, log, sitreps, and the
 * roll-calls' acknowledgement tokens, stored by their SHA-256 only (bytea, bound in binary).
 *
 * Concurrency (several `vigie serve` on one database): SQLite serialises every write, so the
 * next sitrep or roll-call number (max + 1) cannot be taken twice. Here each write on a crisis
 * first locks the crisis's row (SELECT ... FOR NO KEY UPDATE in write_begin), which serialises
 * the writes on one crisis across connections the same way; an acknowledgement is one
 * conditional UPDATE (acked IS NULL), so a token used twice at once is used once (the other
 * answers VG_ECONFLICT). Nothing is cached on the connection. */
#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

#include "store/row_int.h"
#include "util/json.h"
#include "util/time.h"

/* Rows of one crisis's child table into an array; NULL on a store failure. */
static json_t *rows_of(struct pg *p, const char *sql, long long id,
                       json_t *(*row)(const struct vg_row *r))
{
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p, sql, &pp);
    if (!r)
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        struct vg_row w = vg_row_pg(r, i);
        json_array_append_new(arr, row(&w));
    }
    PQclear(r);
    return arr;
}

/* A crisis in a list, for pg_page. */
static json_t *brief_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_crisis_brief(&w);
}

static int crisis_get(struct vg_store *st, long long id, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p,
                         "SELECT id, title, level, state, opened, closed, incidents, updated, "
                         "closing, review, sitrep_every_hours, reminded FROM crisis WHERE id = $1",
                         &pp);
    if (!r)
        return VG_EIO;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return VG_ENOENT;
    }
    struct vg_row w = vg_row_pg(r, 0);
    json_t *c = st_crisis_head(&w);
    PQclear(r);
    json_t *m = rows_of(p,
                        "SELECT " ST_CRISIS_MEMBER_COLS " FROM crisis_member m "
                        "WHERE m.crisis_id = $1 ORDER BY m.id",
                        id, st_crisis_member);
    json_t *l = rows_of(p,
                        "SELECT id, at, author, text FROM crisis_log WHERE crisis_id = $1 "
                        "ORDER BY id",
                        id, st_crisis_log);
    json_t *s = rows_of(p,
                        "SELECT number, version, title, body, tlp, author, at FROM crisis_sitrep "
                        "WHERE crisis_id = $1 ORDER BY number, version",
                        id, st_crisis_sitrep);
    if (!c || !m || !l || !s) {
        json_decref(c), json_decref(m), json_decref(l), json_decref(s);
        return VG_EIO;
    }
    json_object_set_new(c, "members", m);
    json_object_set_new(c, "log", l);
    json_object_set_new(c, "sitreps", s);
    *out = c;
    return 0;
}

static int crisis_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                       struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    struct pg_params pp = {0};
    pg_param_int(&pp, after);
    pg_param_int(&pp, page->limit + 1);
    PGresult *r = pg_run(p,
                         "SELECT id, title, level, state, opened, closed FROM crisis "
                         "WHERE $1::bigint = 0 OR id < $1::bigint ORDER BY id DESC LIMIT $2",
                         &pp);
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, brief_row);
    PQclear(r);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

/* Ends a write: its audit record, the commit, and *out = the crisis read back (when out). */
static int write_end(struct vg_store *st, const struct vg_actor *who, long long id,
                     const char *action, const json_t *detail, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char obj[48];
    snprintf(obj, sizeof obj, "crisis:%lld", id);
    if (pg_audit(p, who, action, obj, detail) || pg_commit(p))
        return pg_fail(p, d);
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

/* Begins a write on crisis id, which must exist, and locks its row until the write's end
 * (the writes on one crisis are serialised, as SQLite serialises all; NO KEY UPDATE, the lock
 * an UPDATE takes, leaves the foreign keys' checks of other writes free): 0, or the error
 * with d set and nothing open. */
static int write_begin(struct pg *p, long long id, struct vg_diag *d)
{
    if (pg_begin(p))
        return pg_error(p, d);
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p, "SELECT 1 FROM crisis WHERE id = $1 FOR NO KEY UPDATE", &pp);
    if (!r)
        return pg_fail(p, d);
    int n = PQntuples(r);
    PQclear(r);
    if (n == 1)
        return 0;
    pg_rollback(p);
    return vg_diag_set(d, VG_ENOENT, "id", "no crisis %lld", id);
}

/* write_begin with now, the write's time. */
static int begin_now(struct pg *p, long long id, char now[VG_TIME_LEN], struct vg_diag *d)
{
    vg_time_now(now);
    return write_begin(p, id, d);
}

/* Appends an integer of JSON, or SQL NULL when v is NULL (a key the object does not have). */
static void param_int_or_null(struct pg_params *pp, const json_t *v)
{
    if (v)
        pg_param_int(pp, json_integer_value(v));
    else
        pg_param_text(pp, NULL);
}

/* Runs one statement of an open write: 0, or the failure with the write rolled back.
 * *changes (may be NULL) = the rows it changed, *ret (may be NULL) = its first row's first
 * column (RETURNING id). */
static int step(struct pg *p, const char *sql, const struct pg_params *pp, long long *changes,
                long long *ret, struct vg_diag *d)
{
    PGresult *r = pg_run(p, sql, pp);
    if (!r) {
        /* a duplicate here (an acknowledgement token's hash) is no answer of the contract,
         * which names VG_EEXIST for a member's e-mail only: VG_EIO, as on SQLite */
        int rc = pg_fail(p, d);
        return rc == VG_EEXIST ? VG_EIO : rc;
    }
    if (changes)
        *changes = strtoll(PQcmdTuples(r), NULL, 10);
    if (ret)
        *ret = PQntuples(r) > 0 ? pg_get_int(r, 0, 0) : 0;
    PQclear(r);
    return 0;
}

static int crisis_create(struct vg_store *st, const struct vg_actor *who, const json_t *c,
                         json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    struct pg_params pp = {0};
    pg_param_text(&pp, vg_json_str(c, "title"));
    pg_param_text(&pp, vg_json_str(c, "level"));
    pg_param_json(&pp, json_object_get(c, "incidents"));
    pg_param_text(&pp, now);
    pg_param_int(&pp, json_integer_value(json_object_get(c, "sitrep_every_hours")));
    long long id = 0;
    int rc = step(p,
                  "INSERT INTO crisis(title, level, state, incidents, opened, updated, "
                  "sitrep_every_hours) VALUES ($1, $2, 'open', $3, $4, $4, $5) RETURNING id",
                  &pp, NULL, &id, d);
    pg_params_free(&pp);
    return rc ? rc : write_end(st, who, id, "crisis.create", c, out, d);
}

static int crisis_update(struct vg_store *st, const struct vg_actor *who, long long id,
                         const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    int rc = begin_now(p, id, now, d);
    if (rc)
        return rc;
    const json_t *every = json_object_get(patch, "sitrep_every_hours");
    struct pg_params pp = {0};
    pg_param_text(&pp, vg_json_str(patch, "title"));
    pg_param_text(&pp, vg_json_str(patch, "level"));
    pg_param_json(&pp, json_object_get(patch, "incidents"));
    param_int_or_null(&pp, every);
    pg_param_text(&pp, now);
    pg_param_int(&pp, id);
    rc = step(p,
              "UPDATE crisis SET title = coalesce($1, title), level = coalesce($2, level), "
              "incidents = coalesce($3, incidents), "
              "sitrep_every_hours = coalesce($4::bigint, sitrep_every_hours), updated = $5 "
              "WHERE id = $6",
              &pp, NULL, NULL, d);
    pg_params_free(&pp);
    return rc ? rc : write_end(st, who, id, "crisis.update", patch, out, d);
}

static int log_add(struct vg_store *st, const struct vg_actor *who, long long id, const char *text,
                   json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    int rc = begin_now(p, id, now, d);
    if (rc)
        return rc;
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    pg_param_text(&pp, now);
    pg_param_text(&pp, who->name);
    pg_param_text(&pp, text);
    long long lid = 0;
    rc = step(p,
              "INSERT INTO crisis_log(crisis_id, at, author, text) VALUES ($1, $2, $3, $4) "
              "RETURNING id",
              &pp, NULL, &lid, d);
    if (rc)
        return rc;
    json_t *e = st_crisis_log_entry(lid, now, who->name, text);
    return write_end_entry(st, who, id, "crisis.log", NULL, e, out, d);
}

static int member_add(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *m, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    int rc = begin_now(p, id, now, d);
    if (rc)
        return rc;
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    pg_param_text(&pp, vg_json_str(m, "kind"));
    pg_param_text(&pp, vg_json_str(m, "name"));
    pg_param_text(&pp, vg_json_str(m, "email"));
    pg_param_text(&pp, vg_json_str(m, "role"));
    pg_param_text(&pp, now);
    param_int_or_null(&pp, json_object_get(m, "partner_id"));
    param_int_or_null(&pp, json_object_get(m, "org_id"));
    pg_param_text(&pp, vg_json_str(m, "max_tlp"));
    pg_param_text(&pp, vg_json_str(m, "lang") ? vg_json_str(m, "lang") : "");
    PGresult *r = pg_run(p,
                         "INSERT INTO crisis_member(crisis_id, kind, name, email, role, added, "
                         "partner_id, org_id, max_tlp, lang) VALUES ($1, $2, $3, $4, $5, $6, "
                         "$7::bigint, $8::bigint, coalesce($9, 'GREEN'), $10) RETURNING id",
                         &pp);
    if (!r) {
        if (p->err.code == VG_EEXIST) {
            pg_rollback(p);
            return vg_diag_set(d, VG_EEXIST, "/email", "/email: the crisis has that member");
        }
        return pg_fail(p, d);
    }
    long long mid = pg_get_int(r, 0, 0);
    PQclear(r);
    json_t *e = json_deep_copy(m);
    json_object_set_new(e, "id", json_integer(mid));
    json_object_set_new(e, "added", json_string(now));
    return write_end_entry(st, who, id, "crisis.member.add", NULL, e, out, d);
}

static int sitrep_add(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *sr, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    int rc = begin_now(p, id, now, d);
    if (rc)
        return rc;
    long long number = json_integer_value(json_object_get(sr, "number")), version = 1;
    struct pg_params q = {0};
    pg_param_int(&q, number);
    pg_param_int(&q, id);
    PGresult *r = pg_run(p,
                         "SELECT coalesce(max(number), 0), coalesce(max(CASE WHEN number = $1 "
                         "THEN version END), 0) FROM crisis_sitrep WHERE crisis_id = $2",
                         &q);
    if (!r)
        return pg_fail(p, d);
    long long last = pg_get_int(r, 0, 0), vmax = pg_get_int(r, 0, 1);
    PQclear(r);
    if ((rc = st_crisis_sitrep_number(id, last, vmax, &number, &version, d))) {
        pg_rollback(p);
        return rc;
    }
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    pg_param_int(&pp, number);
    pg_param_int(&pp, version);
    pg_param_text(&pp, vg_json_str(sr, "title"));
    pg_param_text(&pp, vg_json_str(sr, "body"));
    pg_param_text(&pp, vg_json_str(sr, "tlp"));
    pg_param_text(&pp, who->name);
    pg_param_text(&pp, now);
    rc = step(p,
              "INSERT INTO crisis_sitrep(crisis_id, number, version, title, body, tlp, author, "
              "at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
              &pp, NULL, NULL, d);
    if (rc)
        return rc;
    json_t *detail;
    json_t *e = st_crisis_sitrep_entry(number, version, sr, who->name, now, &detail);
    rc = write_end_entry(st, who, id, "crisis.sitrep", detail, e, out, d);
    json_decref(detail);
    return rc;
}

/* Begins a roll-call's write on crisis id (its row locked): now and the number of its last
 * roll-call (0: none). */
static int rollcall_begin(struct pg *p, long long id, char now[VG_TIME_LEN], long long *no,
                          struct vg_diag *d)
{
    *no = 0;
    int rc = begin_now(p, id, now, d);
    if (rc)
        return rc;
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    return step(p, "SELECT coalesce(max(rollcall), 0) FROM crisis_ack WHERE crisis_id = $1", &pp,
                NULL, no, d);
}

static int rollcall(struct vg_store *st, const struct vg_actor *who, long long id,
                    const struct vg_crisis_token *toks, size_t n, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    long long no;
    int rc = rollcall_begin(p, id, now, &no, d);
    if (rc)
        return rc;
    no++;
    for (size_t i = 0; i < n; i++) {
        struct pg_params pp = {0};
        pg_param_int(&pp, no);
        pg_param_bytes(&pp, toks[i].hash, 32);
        pg_param_text(&pp, now);
        pg_param_int(&pp, toks[i].member_id);
        pg_param_int(&pp, id);
        long long changed = 0;
        rc = step(p,
                  "INSERT INTO crisis_ack(crisis_id, rollcall, member_id, hash, sent) "
                  "SELECT crisis_id, $1, id, $2, $3 FROM crisis_member "
                  "WHERE id = $4 AND crisis_id = $5",
                  &pp, &changed, NULL, d);
        if (rc)
            return rc;
        if (changed != 1) {
            pg_rollback(p);
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
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    /* one conditional update: of two uses at once, the second waits for the first's row lock,
     * then finds acked set and changes nothing */
    struct pg_params pp = {0};
    pg_param_text(&pp, now);
    pg_param_bytes(&pp, hash, 32);
    PGresult *r = pg_run(p,
                         "UPDATE crisis_ack SET acked = $1 WHERE hash = $2 AND acked IS NULL "
                         "RETURNING crisis_id, rollcall, member_id",
                         &pp);
    if (!r)
        return pg_fail(p, d);
    int n = PQntuples(r);
    long long cid = n ? pg_get_int(r, 0, 0) : 0, no = n ? pg_get_int(r, 0, 1) : 0,
              member = n ? pg_get_int(r, 0, 2) : 0;
    PQclear(r);
    if (n == 0) {
        struct pg_params q = {0};
        pg_param_bytes(&q, hash, 32);
        r = pg_run(p, "SELECT 1 FROM crisis_ack WHERE hash = $1", &q);
        if (!r)
            return pg_fail(p, d);
        bool known = PQntuples(r) > 0;
        PQclear(r);
        pg_rollback(p);
        return known ? vg_diag_set(d, VG_ECONFLICT, "token", "token already used")
                     : vg_diag_set(d, VG_ENOENT, "token", "unknown token");
    }
    json_t *detail;
    json_t *e = st_crisis_ack_entry(cid, no, member, now, &detail);
    int rc = write_end_entry(st, &acker, cid, "crisis.ack", detail, e, out, d);
    json_decref(detail);
    return rc;
}

static int pending(struct vg_store *st, long long id, const char *before, json_t **out,
                   struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p,
                         "SELECT (SELECT count(*) FROM crisis WHERE id = $1), "
                         "coalesce(max(rollcall), 0), max(sent) FROM crisis_ack "
                         "WHERE crisis_id = $1",
                         &pp);
    if (!r)
        return pg_error(p, d);
    if (pg_get_int(r, 0, 0) == 0) {
        PQclear(r);
        return vg_diag_set(d, VG_ENOENT, "id", "no crisis %lld", id);
    }
    long long no = pg_get_int(r, 0, 1);
    json_t *sent = pg_get_null(r, 0, 2);
    PQclear(r);
    struct pg_params q = {0};
    pg_param_text(&q, before);
    pg_param_int(&q, id);
    pg_param_int(&q, no);
    r = pg_run(p,
               "SELECT " ST_CRISIS_MEMBER_COLS ", k.acked, k.sent <= $1 FROM crisis_ack k "
               "JOIN crisis_member m ON m.id = k.member_id "
               "WHERE k.crisis_id = $2 AND k.rollcall = $3 ORDER BY m.id",
               &q);
    if (!r) {
        json_decref(sent);
        return pg_error(p, d);
    }
    json_t *pend = json_array(), *acked = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        struct vg_row w = vg_row_pg(r, i);
        if (!PQgetisnull(r, i, 10))
            json_array_append_new(acked, st_crisis_pending_member(&w));
        else if (pg_get_bool(r, i, 11))
            json_array_append_new(pend, st_crisis_pending_member(&w));
    }
    PQclear(r);
    *out = json_pack("{s:I,s:o,s:o,s:o}", "rollcall", (json_int_t)no, "sent", sent, "pending", pend,
                     "acknowledged", acked);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int crisis_close(struct vg_store *st, const struct vg_actor *who, long long id,
                        const char *now, const json_t *closing, const char *review, json_t **out,
                        struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    int rc = write_begin(p, id, d);
    if (rc)
        return rc;
    struct pg_params pp = {0};
    pg_param_text(&pp, now);
    pg_param_json(&pp, closing);
    pg_param_text(&pp, review);
    pg_param_int(&pp, id);
    long long changed = 0;
    rc = step(p,
              "UPDATE crisis SET state = 'closed', closed = $1, closing = $2, review = $3, "
              "updated = $1 WHERE id = $4 AND state = 'open'",
              &pp, &changed, NULL, d);
    pg_params_free(&pp);
    if (rc)
        return rc;
    if (changed == 0) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ECONFLICT, "state", "crisis %lld is closed", id);
    }
    return write_end(st, who, id, "crisis.close", closing, out, d);
}

static int resend(struct vg_store *st, const struct vg_actor *who, long long id,
                  const struct vg_crisis_token *toks, size_t n, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    long long no;
    int rc = rollcall_begin(p, id, now, &no, d);
    if (rc)
        return rc;
    if (no == 0) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "rollcall", "crisis %lld has no roll-call to re-send", id);
    }
    for (size_t i = 0; i < n; i++) {
        struct pg_params pp = {0};
        pg_param_bytes(&pp, toks[i].hash, 32);
        pg_param_text(&pp, now);
        pg_param_int(&pp, id);
        pg_param_int(&pp, no);
        pg_param_int(&pp, toks[i].member_id);
        long long changed = 0;
        rc = step(p,
                  "UPDATE crisis_ack SET hash = $1, sent = $2 WHERE crisis_id = $3 AND "
                  "rollcall = $4 AND member_id = $5 AND acked IS NULL",
                  &pp, &changed, NULL, d);
        if (rc)
            return rc;
        if (changed != 1) {
            pg_rollback(p);
            return vg_diag_set(d, VG_ENOENT, "", "member %lld has no unanswered call",
                               toks[i].member_id);
        }
    }
    json_t *e = st_crisis_call_entry(no, now, n);
    return write_end_entry(st, who, id, "crisis.rollcall.resend", NULL, e, out, d);
}

static int scheduled(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    json_t *items = rows_of(p,
                            "SELECT c.id, c.sitrep_every_hours, coalesce((SELECT max(at) FROM "
                            "crisis_sitrep r WHERE r.crisis_id = c.id), c.opened), c.reminded "
                            "FROM crisis c WHERE c.state = 'open' AND c.sitrep_every_hours > $1 "
                            "ORDER BY c.id",
                            0, st_crisis_scheduled);
    if (!items)
        return pg_error(p, d);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

static int reminded(struct vg_store *st, const struct vg_actor *who, long long id, const char *when,
                    struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    int rc = write_begin(p, id, d);
    if (rc)
        return rc;
    struct pg_params pp = {0};
    pg_param_text(&pp, when);
    pg_param_int(&pp, id);
    rc = step(p, "UPDATE crisis SET reminded = $1 WHERE id = $2", &pp, NULL, NULL, d);
    if (rc)
        return rc;
    json_t *detail = json_pack("{s:s}", "at", when);
    rc = write_end(st, who, id, "crisis.remind", detail, NULL, d);
    json_decref(detail);
    return rc;
}

const struct vg_store_crisis_ops pg_crisis_ops = {
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
