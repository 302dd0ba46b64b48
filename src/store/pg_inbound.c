/* PostgreSQL backend: inbound mail (store/inbound.h). The message as received and the kept
 * attachments are bytea columns: bytes travel to the server as binary parameters (never
 * escaped into text) and come back in bytea's hex text form, which PQunescapeBytea decodes. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/pg_int.h"
#include "store/row_int.h"
#include "util/time.h"

static json_t *inbound_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_inbound(&w);
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

static int inbound_add(struct vg_store *st, const struct vg_inbound_new *m, long long *id,
                       struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    /* its outcome, hash and bytes checked by vg_store_inbound_add */
    /* a binary parameter's length is an int (libpq); bytea holds at most 1 GB anyway */
    bool too_big = m->size > INT_MAX;
    for (size_t i = 0; i < m->n_att; i++)
        too_big = too_big || (m->att[i].data && m->att[i].size > INT_MAX);
    if (too_big)
        return vg_diag_set(d, VG_EINVAL, "size", "an inbound message or attachment over 2 GB");
    char now[VG_TIME_LEN];
    vg_time_fmt(time(NULL), now);
    if (pg_begin(p))
        return pg_error(p, d);
    struct pg_params pp = {0};
    pg_param_text(&pp, nz(m->message_id));
    pg_param_text(&pp, m->sha256);
    pg_param_int(&pp, (long long)m->size);
    pg_param_text(&pp, nz(m->sender));
    pg_param_text(&pp, nz(m->subject));
    pg_param_text(&pp, now);
    pg_param_text(&pp, m->outcome);
    pg_param_text(&pp, nz(m->reason));
    pg_param_text(&pp, nz(m->ref));
    if (m->queue_id)
        pg_param_int(&pp, m->queue_id);
    else
        pg_param_text(&pp, NULL);
    pg_param_bytes(&pp, m->raw ? (const void *)m->raw : "", (int)m->size);
    PGresult *r = pg_run(p,
                         "INSERT INTO inbound(message_id, sha256, size, sender, subject, "
                         "received, outcome, reason, ref, queue_id, raw) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::bigint, $11) "
                         "RETURNING id",
                         &pp);
    if (!r)
        return pg_fail(p, d);
    long long rid = pg_get_int(r, 0, 0);
    PQclear(r);
    for (size_t i = 0; i < m->n_att; i++) {
        const struct vg_inbound_att *a = &m->att[i];
        struct pg_params q = {0};
        pg_param_int(&q, rid);
        pg_param_text(&q, nz(a->name));
        pg_param_text(&q, nz(a->media_type));
        pg_param_int(&q, (long long)a->size);
        pg_param_text(&q, nz(a->sha256));
        pg_param_int(&q, a->is_archive ? 1 : 0);
        if (a->data)
            pg_param_bytes(&q, a->data, (int)a->size);
        else
            pg_param_text(&q, NULL);
        r = pg_run(p,
                   "INSERT INTO inbound_attachment(inbound_id, name, media_type, size, sha256, "
                   "is_archive, data) VALUES ($1, $2, $3, $4, $5, $6, $7::bytea)",
                   &q);
        if (!r)
            return pg_fail(p, d);
        PQclear(r);
    }
    if (pg_commit(p))
        return pg_fail(p, d);
    if (id)
        *id = rid;
    return 0;
}

static int inbound_find(struct vg_store *st, const char *message_id, const char *sha256,
                        long long *id)
{
    struct pg *p = pg_of(st);
    bool by_mid = message_id && *message_id;
    struct pg_params pp = {0};
    pg_param_text(&pp, by_mid ? message_id : nz(sha256));
    PGresult *r = by_mid ? pg_run(p,
                                  "SELECT id FROM inbound WHERE message_id = $1 AND "
                                  "message_id <> '' ORDER BY id LIMIT 1",
                                  &pp)
                         : pg_run(p,
                                  "SELECT id FROM inbound WHERE sha256 = $1 AND message_id = '' "
                                  "ORDER BY id LIMIT 1",
                                  &pp);
    if (!r)
        return VG_EIO;
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        *id = pg_get_int(r, 0, 0);
        rc = 0;
    }
    PQclear(r);
    return rc;
}

static int inbound_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                        json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long before;
    if (sq_cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    const char *outcome = json_string_value(json_object_get(filters, "outcome"));
    struct pg_params pp = {0};
    pg_param_int(&pp, before);
    pg_param_text(&pp, outcome);
    pg_param_int(&pp, page->limit + 1);
    PGresult *r =
        pg_run(p,
               "SELECT " ST_INBOUND_COLS " FROM inbound WHERE ($1::bigint = 0 OR id < $1::bigint) "
               "AND ($2::text IS NULL OR outcome = $2::text) ORDER BY id DESC LIMIT $3",
               &pp);
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, inbound_row);
    PQclear(r);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static json_t *att_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_inbound_attachment(&w);
}

static int inbound_get(struct vg_store *st, long long id, json_t **out)
{
    struct pg *p = pg_of(st);
    *out = NULL;
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p, "SELECT " ST_INBOUND_COLS " FROM inbound WHERE id = $1", &pp);
    if (!r)
        return VG_EIO;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return VG_ENOENT;
    }
    json_t *m = inbound_row(r, 0);
    PQclear(r);
    if (!m)
        return VG_ENOMEM;
    r = pg_run(p,
               "SELECT id, name, media_type, size, sha256, is_archive, data IS NOT NULL "
               "FROM inbound_attachment WHERE inbound_id = $1 ORDER BY id",
               &pp);
    if (!r) {
        json_decref(m);
        return VG_EIO;
    }
    json_t *atts = json_array();
    int rc = atts ? 0 : VG_ENOMEM;
    for (int i = 0; !rc && i < PQntuples(r); i++)
        if (json_array_append_new(atts, att_row(r, i)))
            rc = VG_ENOMEM;
    PQclear(r);
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
    struct pg *p = pg_of(st);
    *data = NULL;
    *len = 0;
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p, "SELECT raw FROM inbound WHERE id = $1", &pp);
    if (!r)
        return VG_EIO;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return VG_ENOENT;
    }
    size_t n = 0;
    unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &n);
    PQclear(r);
    if (!b)
        return VG_ENOMEM;
    /* the caller frees with free(): a copy out of libpq's memory */
    int rc = 0;
    *data = malloc(n ? n : 1);
    if (!*data)
        rc = VG_ENOMEM;
    else if (n)
        memcpy(*data, b, n);
    PQfreemem(b);
    if (!rc)
        *len = n;
    return rc;
}

const struct vg_store_inbound_ops pg_inbound_ops = {
    .add = inbound_add,
    .find = inbound_find,
    .list = inbound_list,
    .get = inbound_get,
    .raw = inbound_raw,
};
