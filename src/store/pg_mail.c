/* PostgreSQL backend: the outbox of outbound mail (store/mail.h), as sqlite_mail.c.
 *
 * Several senders (one per `vigie serve` on the database) claim at once: the claim selects the
 * due messages FOR UPDATE SKIP LOCKED and moves their next_attempt to the lease's end in the
 * same statement, so a message locked by another sender's claim is skipped (not waited for),
 * and once that claim commits it is no longer due: no message is claimed twice within a
 * lease. */
#include "store/pg_int.h"
#include "store/row_int.h"

#include <string.h>
#include <time.h>

#include "util/time.h"

static json_t *mail_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_mail(&w);
}

static int mail_queue(struct vg_store *st, const json_t *msg, long long *id, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
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
    struct pg_params pp = {0};
    pg_param_text(&pp, mid);
    pg_param_text(&pp, kind);
    pg_param_text(&pp, object ? object : "");
    pg_param_json(&pp, to);
    pg_param_text(&pp, subject);
    pg_param_text(&pp, text);
    pg_param_text(&pp, html ? html : "");
    pg_param_text(&pp, now);
    long long rid = 0;
    int rc = pp.v[3] ? pg_write(p,
                                "INSERT INTO outbox(message_id, kind, object, recipients, "
                                "subject, body_text, body_html, next_attempt, created, updated) "
                                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) RETURNING id",
                                &pp, NULL, &rid, d)
                     : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    pg_params_free(&pp);
    if (rc == VG_EEXIST)
        return vg_diag_set(d, VG_EEXIST, "message_id", "Message-ID already queued");
    if (rc)
        return rc;
    if (id)
        *id = rid;
    return 0;
}

static int mail_claim(struct vg_store *st, const char *now, const char *until, int limit,
                      json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    *out = NULL;
    struct pg_params pp = {0};
    pg_param_text(&pp, now);
    if (limit < 0)
        pg_param_text(&pp, NULL); /* no limit, as SQLite's LIMIT -1 */
    else
        pg_param_int(&pp, limit);
    pg_param_text(&pp, until);
    if (pg_begin(p))
        return pg_error(p, d);
    /* c: the rows as they were (a data-modifying WITH sees the snapshot before its update) */
    PGresult *r = pg_run(p,
                         "WITH c AS (SELECT " ST_MAIL_COLS " FROM outbox WHERE state = 'queued' "
                         "AND next_attempt <= $1 ORDER BY next_attempt, id LIMIT $2 "
                         "FOR UPDATE SKIP LOCKED), "
                         "u AS (UPDATE outbox o SET attempts = o.attempts + 1, "
                         "next_attempt = $3, updated = $1 FROM c WHERE o.id = c.id) "
                         "SELECT id, message_id, kind, object, recipients, subject, body_text, "
                         "body_html, state, attempts + 1, next_attempt, last_answer, created, "
                         "updated FROM c ORDER BY next_attempt, id",
                         &pp);
    if (!r)
        return pg_fail(p, d);
    json_t *items = json_array();
    int rc = items ? 0 : VG_ENOMEM;
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        json_t *row = mail_row(r, i);
        if (!row || json_array_append_new(items, row))
            rc = VG_ENOMEM;
    }
    PQclear(r);
    if (rc) {
        json_decref(items);
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    if (pg_commit(p)) {
        json_decref(items);
        return pg_fail(p, d);
    }
    *out = json_pack("{s:o}", "items", items);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int mail_mark(struct vg_store *st, long long id, const char *state, const char *next,
                     const char *answer, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    /* state checked, next given for a retry only: vg_store_mail_mark */
    char now[VG_TIME_LEN];
    vg_time_fmt(time(NULL), now);
    struct pg_params pp = {0};
    pg_param_text(&pp, state);
    pg_param_text(&pp, next);
    pg_param_text(&pp, answer);
    pg_param_text(&pp, now);
    pg_param_int(&pp, id);
    long long n = 0;
    int rc = pg_write(p,
                      "UPDATE outbox SET state = $1, next_attempt = coalesce($2, next_attempt), "
                      "last_answer = coalesce($3, last_answer), updated = $4 WHERE id = $5",
                      &pp, &n, NULL, d);
    if (rc)
        return rc;
    if (!n)
        return vg_diag_set(d, VG_ENOENT, "id", "no message %lld in the outbox", id);
    return 0;
}

static int mail_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                     json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    struct pg_params pp = {0};
    pg_param_int(&pp, after);
    pg_param_text(&pp, json_string_value(json_object_get(filters, "state")));
    pg_param_int(&pp, page->limit + 1);
    PGresult *r = pg_run(p,
                         "SELECT " ST_MAIL_COLS " FROM outbox WHERE id > $1 AND "
                         "($2::text IS NULL OR state = $2) ORDER BY id LIMIT $3",
                         &pp);
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, mail_row);
    PQclear(r);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

const struct vg_store_mail_ops pg_mail_ops = {
    .queue = mail_queue,
    .claim = mail_claim,
    .mark = mail_mark,
    .list = mail_list,
};
