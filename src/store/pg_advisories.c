/* PostgreSQL backend: advisories (store/advisory.h), as sqlite_advisories.c. A reference's
 * number comes from advisory_counter, bumped by an upsert in the transaction of the insert:
 * the counter's row stays locked until that transaction ends, so two servers creating at once
 * take numbers one after the other, and a failed creation gives its number back.
 *
 * The published stamp: SQLite caches it on the connection and recomputes it when PRAGMA
 * data_version (another connection's commit) or a write of its own says the database may have
 * changed. PostgreSQL has no such counter, and another server's publication must change the
 * stamp on this connection at once: the stamp is computed by one aggregate query on every
 * call (one round trip, the same that a "did anything change" check would cost; it reads the
 * published advisories: 1.3 ms with 2,000 of them, psql's round trip included), so it is never
 * stale, whichever server published. Its text differs from SQLite's: beside the count and the
 * versions, the sum of the rows' xmin (the transaction that wrote each row's current version:
 * any committed update of a published advisory, by any server, moves it) instead of the
 * latest times, which another server's clock, a little behind, would not move. An edit of a
 * published advisory's pending draft moves it too: a rebuild for nothing, rare. */
#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

#include "store/row_int.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/time.h"

/* Appends v as JSON text, or NULL when v is absent or null. */
static void param_json_or_null(struct pg_params *pp, const json_t *v)
{
    if (!v || json_is_null(v))
        pg_param_text(pp, NULL);
    else
        pg_param_json(pp, v);
}

/* Appends an authors array as JSON text, "[]" when v is not an array. */
static void param_authors(struct pg_params *pp, const json_t *v)
{
    if (json_is_array(v))
        pg_param_json(pp, v);
    else
        pg_param_text(pp, "[]");
}

/* A row of a list, for pg_page. */
static json_t *list_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_advisory_brief(&w);
}

/* The published revisions of advisory id, oldest first; NULL on a database error. */
static json_t *revisions_of(struct pg *p, long long id)
{
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p,
                         "SELECT version, date, description, publisher FROM advisory_revision "
                         "WHERE advisory_id = $1 ORDER BY version",
                         &pp);
    if (!r)
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        struct vg_row w = vg_row_pg(r, i);
        json_array_append_new(arr, st_advisory_revision(&w));
    }
    PQclear(r);
    return arr;
}

/* The record of row i of r (its revisions read): 0, VG_ENOMEM or VG_EIO. */
static int full_record(struct pg *p, const PGresult *r, int i, json_t **out)
{
    unsigned long before = vg_mem_thread_failures();
    struct vg_row w = vg_row_pg(r, i);
    json_t *a = st_advisory(&w);
    json_t *revs = revisions_of(p, pg_get_int(r, i, 0));
    if (!a || !revs || vg_mem_thread_failures() != before) {
        json_decref(a);
        json_decref(revs);
        return vg_mem_thread_failures() != before ? VG_ENOMEM : VG_EIO;
    }
    json_object_set_new(a, "revisions", revs);
    *out = a;
    return 0;
}

static int adv_get(struct vg_store *st, const char *ref, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, ref);
    PGresult *r = pg_run(p, "SELECT " ST_ADV_COLS " FROM advisory WHERE ref = $1", &pp);
    if (!r)
        return VG_EIO;
    int rc = PQntuples(r) == 1 ? full_record(p, r, 0, out) : VG_ENOENT;
    PQclear(r);
    return rc;
}

/* Takes the next number of (prefix, kind, year), in the open write: 0 and *n, or VG_EIO. The
 * upsert locks the counter's row until the write's transaction ends. */
static int next_number(struct pg *p, const char *prefix, const char *kind, int year, long long *n)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, prefix);
    pg_param_text(&pp, kind);
    pg_param_int(&pp, year);
    PGresult *r = pg_run(p,
                         "INSERT INTO advisory_counter(prefix, kind, year, last) "
                         "VALUES ($1, $2, $3, 1) ON CONFLICT (prefix, kind, year) "
                         "DO UPDATE SET last = advisory_counter.last + 1 RETURNING last",
                         &pp);
    if (!r)
        return p->err.code ? p->err.code : VG_EIO;
    int rc = PQntuples(r) == 1 ? 0 : VG_EIO;
    if (!rc)
        *n = pg_get_int(r, 0, 0);
    PQclear(r);
    return rc;
}

static int adv_create(struct vg_store *st, const struct vg_actor *who, const json_t *content,
                      const char *code, int year, const json_t *internal, json_t **out,
                      struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    const char *prefix = st->config.adv_prefix[0] ? st->config.adv_prefix : "VIGIE";
    const char *kind = vg_json_str(content, "kind");
    char now[VG_TIME_LEN], ref[64], obj[80];
    long long n;
    unsigned long before = vg_mem_thread_failures();
    vg_time_now(now);
    /* year, kind and code checked by vg_store_advisory_create */
    if (pg_begin(p))
        return pg_error(p, d);
    if (next_number(p, prefix, kind, year, &n))
        return pg_fail(p, d);
    snprintf(ref, sizeof ref, "%s-%04d-%s-%04lld", prefix, year, code, n);
    json_t *draft = json_deep_copy(content),
           *authors = json_pack("[{s:I,s:s}]", "id", (json_int_t)who->user_id, "name", who->name);
    struct pg_params pp = {0};
    pg_param_text(&pp, ref);
    pg_param_text(&pp, kind);
    pg_param_int(&pp, year);
    pg_param_int(&pp, n);
    pg_param_text(&pp, vg_json_str(draft, "title"));
    pg_param_text(&pp, vg_json_str(draft, "tlp"));
    pg_param_json(&pp, draft);
    pg_param_json(&pp, authors);
    param_json_or_null(&pp, internal);
    pg_param_text(&pp, now);
    bool oom = !pp.v[6] || !pp.v[7] || (internal && !json_is_null(internal) && !pp.v[8]);
    PGresult *r = oom ? NULL
                      : pg_run(p,
                               "INSERT INTO advisory(ref, kind, year, number, status, version, "
                               "title, tlp, draft, authors, internal, created, updated) "
                               "VALUES ($1, $2, $3, $4, 'draft', 0, $5, $6, $7, $8, $9, $10, $10)",
                               &pp);
    pg_params_free(&pp);
    int rc = r ? 0 : VG_EIO;
    PQclear(r);
    json_t *detail = json_pack("{s:s,s:O}", "ref", ref, "content", draft);
    snprintf(obj, sizeof obj, "advisory:%s", ref);
    json_decref(draft);
    json_decref(authors);
    if (rc == 0 && !oom)
        rc = pg_audit(p, who, "advisory.create", obj, detail);
    json_decref(detail);
    if (oom || (rc == 0 && vg_mem_thread_failures() != before)) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    if (rc || pg_commit(p))
        return pg_fail(p, d);
    rc = adv_get(st, ref, out);
    return rc ? vg_diag_set(d, rc, "", "cannot read advisory %s back", ref) : 0;
}

static int adv_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                    json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long before;
    if (sq_cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    char *pat = NULL;
    const char *text = vg_json_str(filters, "q");
    if (text && !(pat = st_like_pattern(text, true)))
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    struct pg_params pp = {0};
    pg_param_int(&pp, before);
    pg_param_text(&pp, vg_json_str(filters, "kind"));
    pg_param_text(&pp, vg_json_str(filters, "status"));
    const json_t *year = json_object_get(filters, "year");
    if (json_is_integer(year))
        pg_param_int(&pp, json_integer_value(year));
    else
        pg_param_text(&pp, NULL);
    pg_param_text(&pp, pat);
    pg_param_int(&pp, page->limit + 1);
    /* SQLite's LIKE ignores the case of ASCII letters only: vg_nocase lowers those alone */
    PGresult *r = pg_run(p,
                         "SELECT " ST_ADV_COLS " FROM advisory "
                         "WHERE ($1::bigint = 0 OR id < $1) AND ($2::text IS NULL OR kind = $2) "
                         "AND ($3::text IS NULL OR status = $3) "
                         "AND ($4::bigint IS NULL OR year = $4) "
                         "AND ($5::text IS NULL OR vg_nocase(title) LIKE $5 ESCAPE '\\') "
                         "ORDER BY id DESC LIMIT $6",
                         &pp);
    free(pat);
    if (!r)
        return pg_error(p, d);
    unsigned long failures = vg_mem_thread_failures();
    *out = pg_page(r, page->limit, list_row);
    PQclear(r);
    if (*out && vg_mem_thread_failures() == failures)
        return 0;
    json_decref(*out);
    *out = NULL;
    return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

/* Inserts revision of advisory id in the open write: 0, VG_EEXIST (that version exists) with
 * d set, or the failure kept for pg_error. */
static int insert_revision(struct pg *p, const char *ref, long long id, const json_t *revision,
                           struct vg_diag *d)
{
    long long version = (long long)json_integer_value(json_object_get(revision, "version"));
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    pg_param_int(&pp, version);
    pg_param_text(&pp, vg_json_str(revision, "date"));
    pg_param_text(&pp, vg_json_str(revision, "description"));
    pg_param_json(&pp, json_object_get(revision, "content"));
    param_authors(&pp, json_object_get(revision, "authors"));
    pg_param_text(&pp, vg_json_str(revision, "publisher"));
    PGresult *r = pg_run(p,
                         "INSERT INTO advisory_revision(advisory_id, version, date, description, "
                         "content, authors, publisher) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         &pp);
    pg_params_free(&pp);
    if (r) {
        PQclear(r);
        return 0;
    }
    if (p->err.code == VG_EEXIST)
        return vg_diag_set(d, VG_EEXIST, "version", "%s: version %lld exists", ref, version);
    return VG_EIO;
}

static int adv_save(struct vg_store *st, const struct vg_actor *who, const char *ref,
                    const json_t *rec, const json_t *revision, const char *action,
                    const json_t *detail, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN], obj[80];
    unsigned long before = vg_mem_thread_failures();
    vg_time_now(now);
    snprintf(obj, sizeof obj, "advisory:%s", ref);
    const json_t *text = st_advisory_working_text(rec);
    /* its status and text checked by vg_store_advisory_save */
    if (pg_begin(p))
        return pg_error(p, d);
    struct pg_params pp = {0};
    pg_param_text(&pp, vg_json_str(rec, "status"));
    pg_param_int(&pp, (long long)json_integer_value(json_object_get(rec, "version")));
    pg_param_text(&pp, vg_json_str(text, "title"));
    pg_param_text(&pp, vg_json_str(text, "tlp"));
    param_json_or_null(&pp, json_object_get(rec, "published"));
    param_json_or_null(&pp, json_object_get(rec, "draft"));
    pg_param_text(&pp, vg_json_str(rec, "pending_description"));
    param_authors(&pp, json_object_get(rec, "authors"));
    param_json_or_null(&pp, json_object_get(rec, "internal"));
    pg_param_text(&pp, vg_json_str(rec, "published_at"));
    pg_param_text(&pp, vg_json_str(rec, "last_published_at"));
    pg_param_text(&pp, vg_json_str(rec, "closed_at"));
    pg_param_text(&pp, now);
    pg_param_text(&pp, ref);
    PGresult *r = pg_run(p,
                         "UPDATE advisory SET status = $1, version = $2, title = $3, tlp = $4, "
                         "published = $5, draft = $6, pending_description = $7, authors = $8, "
                         "internal = $9, published_at = $10, last_published_at = $11, "
                         "closed_at = $12, updated = $13 WHERE ref = $14 RETURNING id",
                         &pp);
    pg_params_free(&pp);
    if (!r)
        return pg_fail(p, d);
    long long id = PQntuples(r) == 1 ? pg_get_int(r, 0, 0) : 0;
    PQclear(r);
    if (id == 0) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "ref", "no advisory %s", ref);
    }
    if (revision) {
        int rc = insert_revision(p, ref, id, revision, d);
        if (rc == VG_EEXIST) {
            pg_rollback(p);
            return rc;
        }
        if (rc)
            return pg_fail(p, d);
    }
    if (pg_audit(p, who, action, obj, detail))
        return pg_fail(p, d);
    if (vg_mem_thread_failures() != before) { /* a JSON text sent as NULL */
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    if (pg_commit(p))
        return pg_fail(p, d);
    int rc = adv_get(st, ref, out);
    return rc ? vg_diag_set(d, rc, "", "cannot read advisory %s back", ref) : 0;
}

static int adv_published_each(struct vg_store *st, int (*fn)(void *ctx, const json_t *rec),
                              void *ctx)
{
    struct pg *p = pg_of(st);
    /* the whole result is in memory: fn may use the store while this loop runs */
    PGresult *r = pg_run(p,
                         "SELECT " ST_ADV_COLS " FROM advisory WHERE published IS NOT NULL "
                         "ORDER BY id",
                         NULL);
    if (!r)
        return VG_EIO;
    int rc = 0;
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        json_t *a = NULL;
        rc = full_record(p, r, i, &a);
        if (!rc)
            rc = fn(ctx, a);
        json_decref(a);
    }
    PQclear(r);
    return rc;
}

static int adv_published_stamp(struct vg_store *st, char *out, size_t cap)
{
    struct pg *p = pg_of(st);
    PGresult *r = pg_run(p,
                         "SELECT count(*), coalesce(sum(version), 0), "
                         "coalesce(sum(xmin::text::bigint), 0) "
                         "FROM advisory WHERE published IS NOT NULL",
                         NULL);
    if (!r)
        return VG_EIO;
    int rc = PQntuples(r) == 1 ? 0 : VG_EIO;
    if (!rc)
        snprintf(out, cap, "%lld|%lld|%s", pg_get_int(r, 0, 0), pg_get_int(r, 0, 1),
                 pg_get_text(r, 0, 2));
    PQclear(r);
    return rc;
}

const struct vg_store_advisory_ops pg_advisory_ops = {
    .create = adv_create,
    .get = adv_get,
    .list = adv_list,
    .save = adv_save,
    .published_each = adv_published_each,
    .published_stamp = adv_published_stamp,
};
