/* PostgreSQL backend: the TAXII 2.1 server's collections, object versions and status resources
 * (store/taxii.h), as sqlite_taxii.c. A query's lists travel as array parameters (text[],
 * bigint[]), so that every statement is a fixed, prepared one; the statement is chosen by the
 * filter that finds the fewest rows by index (ids, then types, else the primary key's range of
 * date_added), a page is then one index scan.
 *
 * date_added is unique and increasing within a collection, also with several servers: an add
 * locks its collection's row until its transaction ends, so that adds to one collection run one
 * after the other, each one past the last one committed. A reader paging on date_added thus
 * never steps over a version that commits later with a smaller date_added. */
#include "store/pg_int.h"
#include "store/row_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/time.h"

/* The biggest array parameter written (the lists of a query are bounded by the request). */
#define ARRAY_MAX (16u << 20)

static json_t *coll_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_taxii_coll(&w);
}

static int coll_get(struct vg_store *st, const char *id, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, id);
    PGresult *r =
        pg_run(p, "SELECT " ST_TAXII_COLL_COLS " FROM taxii_collection WHERE id = $1", &pp);
    if (!r)
        return VG_EIO;
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        *out = coll_row(r, 0);
        rc = *out ? 0 : VG_ENOMEM;
    }
    PQclear(r);
    return rc;
}

/* The internal key of collection id: > 0, 0 if there is none, -1 on error. */
static long long coll_seq(struct pg *p, const char *id)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, id);
    PGresult *r = pg_run(p, "SELECT seq FROM taxii_collection WHERE id = $1", &pp);
    if (!r)
        return -1;
    long long seq = PQntuples(r) == 1 ? pg_get_int(r, 0, 0) : 0;
    PQclear(r);
    return seq;
}

static int coll_create(struct vg_store *st, const struct vg_actor *who, const json_t *coll,
                       json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    const char *id = json_string_value(json_object_get(coll, "id"));
    const char *desc = json_string_value(json_object_get(coll, "description"));
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    struct pg_params pp = {0};
    pg_param_text(&pp, id);
    pg_param_text(&pp, json_string_value(json_object_get(coll, "title")));
    pg_param_text(&pp, desc ? desc : "");
    pg_param_json(&pp, json_object_get(coll, "readers"));
    pg_param_json(&pp, json_object_get(coll, "writers"));
    pg_param_text(&pp, now);
    pg_param_text(&pp, now);
    PGresult *r = pg_run(p,
                         "INSERT INTO taxii_collection(id, title, description, readers, writers, "
                         "created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         &pp);
    pg_params_free(&pp);
    if (!r) {
        if (p->err.code != VG_EEXIST)
            return pg_fail(p, d);
        pg_rollback(p);
        return vg_diag_set(d, VG_EEXIST, "/id", "a collection %s exists", id);
    }
    PQclear(r);
    char obj[64];
    snprintf(obj, sizeof obj, "taxii-collection:%s", id);
    if (pg_audit(p, who, "taxii.collection.create", obj, coll) || pg_commit(p))
        return pg_fail(p, d);
    return coll_get(st, id, out);
}

static int coll_list(struct vg_store *st, json_t **out)
{
    struct pg *p = pg_of(st);
    PGresult *r =
        pg_run(p, "SELECT " ST_TAXII_COLL_COLS " FROM taxii_collection ORDER BY seq", NULL);
    if (!r)
        return VG_EIO;
    json_t *a = json_array();
    int rc = a ? 0 : VG_ENOMEM;
    for (int i = 0; !rc && i < PQntuples(r); i++)
        if (json_array_append_new(a, coll_row(r, i)))
            rc = VG_ENOMEM;
    PQclear(r);
    if (rc) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

static int coll_update(struct vg_store *st, const struct vg_actor *who, const char *id,
                       const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    /* locked until the commit: concurrent patches from several servers apply in turn */
    struct pg_params pp = {0};
    pg_param_text(&pp, id);
    PGresult *r = pg_run(p,
                         "SELECT " ST_TAXII_COLL_COLS " FROM taxii_collection WHERE id = $1 "
                         "FOR NO KEY UPDATE",
                         &pp);
    if (!r)
        return pg_fail(p, d);
    json_t *cur = PQntuples(r) == 1 ? coll_row(r, 0) : NULL;
    int found = PQntuples(r);
    PQclear(r);
    if (!cur) {
        pg_rollback(p);
        return found ? vg_diag_set(d, VG_ENOMEM, "", "out of memory")
                     : vg_diag_set(d, VG_ENOENT, "id", "no collection %s", id);
    }
    json_object_update(cur, (json_t *)patch);
    struct pg_params up = {0};
    pg_param_text(&up, json_string_value(json_object_get(cur, "title")));
    pg_param_text(&up, json_string_value(json_object_get(cur, "description")));
    pg_param_json(&up, json_object_get(cur, "readers"));
    pg_param_json(&up, json_object_get(cur, "writers"));
    pg_param_text(&up, now);
    pg_param_text(&up, id);
    r = pg_run(p,
               "UPDATE taxii_collection SET title = $1, description = $2, readers = $3, "
               "writers = $4, updated = $5 WHERE id = $6",
               &up);
    pg_params_free(&up);
    json_decref(cur);
    PQclear(r);
    char obj[64];
    snprintf(obj, sizeof obj, "taxii-collection:%s", id);
    if (!r || pg_audit(p, who, "taxii.collection.update", obj, patch) || pg_commit(p))
        return pg_fail(p, d);
    return coll_get(st, id, out);
}

static int obj_add(struct vg_store *st, const char *coll, long long now_us,
                   const struct vg_taxii_new *o, long long *added, bool *dup, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    *dup = false;
    if (pg_begin(p))
        return pg_error(p, d);
    /* the collection's row locked until the end of the transaction: adds to one collection
     * run in turn (see the top of this file) */
    struct pg_params pc = {0};
    pg_param_text(&pc, coll);
    PGresult *r =
        pg_run(p, "SELECT seq FROM taxii_collection WHERE id = $1 FOR NO KEY UPDATE", &pc);
    if (!r)
        return pg_fail(p, d);
    long long seq = PQntuples(r) == 1 ? pg_get_int(r, 0, 0) : 0;
    PQclear(r);
    if (!seq) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "id", "no collection %s", coll);
    }
    struct pg_params pv = {0};
    pg_param_int(&pv, seq);
    pg_param_text(&pv, o->id);
    pg_param_int(&pv, o->version_us);
    r = pg_run(p, "SELECT 1 FROM taxii_object WHERE coll = $1 AND id = $2 AND version_us = $3",
               &pv);
    if (!r)
        return pg_fail(p, d);
    *dup = PQntuples(r) > 0;
    PQclear(r);
    if (*dup) {
        pg_rollback(p);
        return 0;
    }
    /* the last date_added of the collection: the primary key's last entry */
    struct pg_params pl = {0};
    pg_param_int(&pl, seq);
    r = pg_run(p, "SELECT coalesce(max(added), 0) FROM taxii_object WHERE coll = $1", &pl);
    if (!r)
        return pg_fail(p, d);
    long long last = pg_get_int(r, 0, 0);
    PQclear(r);
    long long at = now_us > last ? now_us : last + 1;
    struct pg_params pi = {0};
    pg_param_int(&pi, seq);
    pg_param_int(&pi, at);
    pg_param_text(&pi, o->id);
    pg_param_text(&pi, o->type);
    pg_param_text(&pi, o->spec_version);
    pg_param_text(&pi, o->version);
    pg_param_int(&pi, o->version_us);
    pg_param_int(&pi, o->tlp);
    pg_param_text(&pi, o->source);
    /* the object in the binary form of text (its bytes): its length is given, it need not
     * end with a NUL */
    pg_param_bytes(&pi, o->object, (int)o->object_len);
    r = pg_run(p,
               "INSERT INTO taxii_object(coll, added, id, type, spec_version, version, "
               "version_us, tlp, source, object) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
               "$10)",
               &pi);
    PQclear(r);
    if (!r || pg_commit(p))
        return pg_fail(p, d);
    *added = at;
    return 0;
}

/* ---- queries ---- */

/* The filters of a query after "o.coll = $1 AND o.added > $2": $3 ids, $4 types, $5 spec
 * versions (text[], NULL: any), $6 the version bits, $7 the versions of VG_TAXII_V_AT
 * (bigint[]). As sqlite_taxii.c's put_where. */
#define OBJ_FILTERS                                                                                \
    " AND ($3::text[] IS NULL OR o.id = ANY($3::text[]))"                                          \
    " AND ($4::text[] IS NULL OR o.type = ANY($4::text[]))"                                        \
    " AND ($5::text[] IS NULL OR o.spec_version = ANY($5::text[]))"                                \
    " AND ($6::int & 4 <> 0"                                                                       \
    " OR ($6::int & 1 <> 0 AND NOT EXISTS (SELECT 1 FROM taxii_object n WHERE n.coll = o.coll "    \
    "AND n.id = o.id AND n.version_us > o.version_us))"                                            \
    " OR ($6::int & 2 <> 0 AND NOT EXISTS (SELECT 1 FROM taxii_object n WHERE n.coll = o.coll "    \
    "AND n.id = o.id AND n.version_us < o.version_us))"                                            \
    " OR ($6::int & 8 <> 0 AND o.version_us = ANY($7::bigint[])))"

#define OBJ_SELECT                                                                                 \
    "SELECT o.added, o.id, o.type, o.spec_version, o.version, o.tlp, o.object "                    \
    "FROM taxii_object o WHERE o.coll = $1"
#define OBJ_PAGE " ORDER BY o.added LIMIT $8"

/* Appends n strings as a text[] literal ({"a","b"}, each quoted, " and \ escaped), or NULL
 * when n is 0. The literal is kept in owned (freed by the caller). 0 or VG_ENOMEM. */
static int param_texts(struct pg_params *pp, const char *const *v, size_t n, char **owned)
{
    *owned = NULL;
    if (!n) {
        pg_param_text(pp, NULL);
        return 0;
    }
    struct vg_buf b;
    vg_buf_init(&b, ARRAY_MAX);
    vg_buf_putc(&b, '{');
    for (size_t i = 0; i < n; i++) {
        vg_buf_puts(&b, i ? ",\"" : "\"");
        for (const char *c = v[i] ? v[i] : ""; *c; c++) {
            if (*c == '"' || *c == '\\')
                vg_buf_putc(&b, '\\');
            vg_buf_putc(&b, *c);
        }
        vg_buf_putc(&b, '"');
    }
    vg_buf_putc(&b, '}');
    if (b.failed) {
        vg_buf_cleanup(&b);
        return VG_ENOMEM;
    }
    *owned = vg_buf_steal(&b);
    pg_param_text(pp, *owned);
    return 0;
}

/* Appends n integers as a bigint[] literal ({1,2}; {} when n is 0), kept in owned. */
static int param_ints(struct pg_params *pp, const long long *v, size_t n, char **owned)
{
    *owned = pg_int_array(v, n);
    if (!*owned)
        return VG_ENOMEM;
    pg_param_text(pp, *owned);
    return 0;
}

/* The parameters of a query's filters: $1 .. $7 (after: $2). owned[4] receive the arrays. */
static int param_query(struct pg_params *pp, long long seq, long long after,
                       const struct vg_taxii_query *q, char *owned[4])
{
    unsigned v = q->versions ? q->versions : VG_TAXII_V_LAST;
    pg_param_int(pp, seq);
    pg_param_int(pp, after);
    int rc = param_texts(pp, q->ids, q->n_ids, &owned[0]);
    rc = rc ? rc : param_texts(pp, q->types, q->n_types, &owned[1]);
    rc = rc ? rc : param_texts(pp, q->specs, q->n_specs, &owned[2]);
    pg_param_int(pp, v);
    return rc ? rc : param_ints(pp, q->at, (v & VG_TAXII_V_AT) ? q->n_at : 0, &owned[3]);
}

static void owned_free(char *owned[4])
{
    for (int i = 0; i < 4; i++)
        free(owned[i]);
}

static int obj_query(struct vg_store *st, const struct vg_taxii_query *q, vg_taxii_row_fn fn,
                     void *ctx, bool *more)
{
    struct pg *p = pg_of(st);
    *more = false;
    long long seq = coll_seq(p, q->coll);
    if (seq <= 0)
        return seq == 0 ? VG_ENOENT : VG_EIO;
    struct pg_params pp = {0};
    char *owned[4] = {0};
    if (param_query(&pp, seq, q->after, q, owned)) {
        owned_free(owned);
        return VG_ENOMEM;
    }
    pg_param_int(&pp, (long long)q->limit + 1);
    PGresult *r;
    if (q->n_ids) /* their few rows by the (collection, id, version) index */
        r = pg_run(p,
                   OBJ_SELECT " AND o.id = ANY($3::text[]) AND o.added > $2" OBJ_FILTERS OBJ_PAGE,
                   &pp);
    else if (q->n_types) /* by the (collection, type, date_added) index */
        r = pg_run(p,
                   OBJ_SELECT " AND o.type = ANY($4::text[]) AND o.added > $2" OBJ_FILTERS OBJ_PAGE,
                   &pp);
    else /* the primary key's range */
        r = pg_run(p, OBJ_SELECT " AND o.added > $2" OBJ_FILTERS OBJ_PAGE, &pp);
    owned_free(owned);
    if (!r)
        return VG_EIO;
    int n = PQntuples(r), out = 0;
    *more = n > q->limit;
    for (int i = 0; i < n && i < q->limit && !out; i++) {
        struct vg_row w = vg_row_pg(r, i);
        struct vg_taxii_row row;
        st_taxii_object(&w, &row);
        out = fn(ctx, &row);
    }
    PQclear(r);
    return out;
}

static int obj_delete(struct vg_store *st, const struct vg_actor *who,
                      const struct vg_taxii_query *q, long long *deleted, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    *deleted = 0;
    if (pg_begin(p))
        return pg_error(p, d);
    long long seq = coll_seq(p, q->coll);
    if (seq <= 0) {
        if (seq < 0)
            return pg_fail(p, d);
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "id", "no collection %s", q->coll);
    }
    struct pg_params pp = {0};
    char *owned[4] = {0};
    if (param_query(&pp, seq, LLONG_MIN, q, owned)) {
        owned_free(owned);
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    /* the version filters' subqueries see the rows as they were before the statement: the
     * rows to go are chosen first, as SQLite's IN (SELECT ...) does */
    PGresult *r;
    if (q->n_ids)
        r = pg_run(p,
                   "DELETE FROM taxii_object o WHERE o.coll = $1 AND o.id = ANY($3::text[]) "
                   "AND o.added > $2" OBJ_FILTERS,
                   &pp);
    else
        r = pg_run(p, "DELETE FROM taxii_object o WHERE o.coll = $1 AND o.added > $2" OBJ_FILTERS,
                   &pp);
    owned_free(owned);
    if (!r)
        return pg_fail(p, d);
    *deleted = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    char obj[128];
    snprintf(obj, sizeof obj, "taxii-collection:%s", q->coll);
    json_t *detail =
        json_pack("{s:s?,s:I}", "id", q->n_ids ? q->ids[0] : NULL, "deleted", (json_int_t)*deleted);
    int bad = pg_audit(p, who, "taxii.object.delete", obj, detail);
    json_decref(detail);
    if (bad || pg_commit(p))
        return pg_fail(p, d);
    return 0;
}

static int status_put(struct vg_store *st, const char *id, long long partner_id,
                      const json_t *status, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    struct pg_params pp = {0};
    pg_param_text(&pp, id);
    pg_param_int(&pp, partner_id);
    pg_param_text(&pp, now);
    pg_param_json(&pp, status);
    int rc = pg_write(p,
                      "INSERT INTO taxii_status(id, partner_id, created, status) "
                      "VALUES ($1, $2, $3, $4)",
                      &pp, NULL, NULL, d);
    pg_params_free(&pp);
    /* an id met twice (they are UUIDs) is VG_EIO, as on SQLite: the contract knows no
     * VG_EEXIST here */
    return rc == VG_EEXIST ? VG_EIO : rc;
}

static int status_get(struct vg_store *st, const char *id, long long *partner_id, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, id);
    PGresult *r = pg_run(p, "SELECT partner_id, status FROM taxii_status WHERE id = $1", &pp);
    if (!r)
        return VG_EIO;
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        *partner_id = pg_get_int(r, 0, 0);
        *out = pg_get_json(r, 0, 1);
        rc = *out ? 0 : VG_ENOMEM;
    }
    PQclear(r);
    return rc;
}

const struct vg_store_taxii_ops pg_taxii_ops = {
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
