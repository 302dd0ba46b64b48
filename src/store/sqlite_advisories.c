/* SQLite backend: advisories (store/advisory.h). A reference's number comes from
 * advisory_counter, bumped in the write transaction of the insert (BEGIN IMMEDIATE: one writer
 * at a time, across processes), so two creations never share a number and a failed one gives
 * its number back. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <string.h>

#include "store/row_int.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/time.h"

/* Binds v as JSON text, or NULL when v is absent or null. */
static void bind_json_or_null(sqlite3_stmt *q, int i, const json_t *v)
{
    if (!v || json_is_null(v))
        sqlite3_bind_null(q, i);
    else
        sq_bind_json(q, i, v);
}

/* Binds a string member of o, or NULL. */
static void bind_str_or_null(sqlite3_stmt *q, int i, const json_t *o, const char *key)
{
    const char *v = vg_json_str(o, key);
    if (v)
        sq_bind_text(q, i, v);
    else
        sqlite3_bind_null(q, i);
}

static json_t *adv_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_advisory(&w);
}

/* A row of a list, for sq_page. */
static json_t *list_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_advisory_brief(&w);
}

/* The published revisions of advisory id, oldest first; NULL on a database error. */
static json_t *revisions_of(struct sq *s, long long id)
{
    sqlite3_stmt *q = sq_prep(s, "SELECT version, date, description, publisher "
                                 "FROM advisory_revision WHERE advisory_id = ? ORDER BY version");
    if (!q)
        return NULL;
    sqlite3_bind_int64(q, 1, id);
    json_t *arr = json_array();
    int step;
    struct vg_row w = vg_row_sqlite(q);
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(arr, st_advisory_revision(&w));
    sq_done(s, q);
    if (step != SQLITE_DONE) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static int adv_get(struct vg_store *st, const char *ref, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT " ST_ADV_COLS " FROM advisory WHERE ref = ?");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, ref);
    int step = sqlite3_step(q);
    if (step != SQLITE_ROW) {
        sq_done(s, q);
        return step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    }
    unsigned long before = vg_mem_thread_failures();
    long long id = sqlite3_column_int64(q, 0);
    json_t *a = adv_row(q);
    sq_done(s, q);
    json_t *revs = revisions_of(s, id);
    if (!a || !revs || vg_mem_thread_failures() != before) {
        json_decref(a);
        json_decref(revs);
        return vg_mem_thread_failures() != before ? VG_ENOMEM : VG_EIO;
    }
    json_object_set_new(a, "revisions", revs);
    *out = a;
    return 0;
}

/* Takes the next number of (prefix, kind, year), in the caller's transaction: 0 and *n, or
 * VG_EIO. */
static int next_number(struct sq *s, const char *prefix, const char *kind, int year, long long *n)
{
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO advisory_counter(prefix, kind, year, last) "
                                 "VALUES (?, ?, ?, 1) ON CONFLICT(prefix, kind, year) "
                                 "DO UPDATE SET last = last + 1 RETURNING last");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, prefix);
    sq_bind_text(q, 2, kind);
    sqlite3_bind_int(q, 3, year);
    int rc = VG_EIO;
    if (sqlite3_step(q) == SQLITE_ROW) {
        *n = sqlite3_column_int64(q, 0);
        rc = sqlite3_step(q) == SQLITE_DONE ? 0 : VG_EIO;
    }
    sq_done(s, q);
    return rc;
}

static int adv_create(struct vg_store *st, const struct vg_actor *who, const json_t *content,
                      const char *code, int year, const json_t *internal, json_t **out,
                      struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    const char *prefix = st->config.adv_prefix[0] ? st->config.adv_prefix : "VIGIE";
    const char *kind = vg_json_str(content, "kind");
    char now[VG_TIME_LEN], ref[64], obj[80];
    long long n;
    unsigned long before = vg_mem_thread_failures();
    vg_time_now(now);
    /* year, kind and code checked by vg_store_advisory_create */
    if (sq_begin(s))
        return sq_db_error(s, d);
    if (next_number(s, prefix, kind, year, &n))
        return sq_fail(s, d);
    snprintf(ref, sizeof ref, "%s-%04d-%s-%04lld", prefix, year, code, n);
    json_t *draft = json_deep_copy(content),
           *authors = json_pack("[{s:I,s:s}]", "id", (json_int_t)who->user_id, "name", who->name);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO advisory(ref, kind, year, number, status, version, "
                                 "title, tlp, draft, authors, internal, created, updated) "
                                 "VALUES (?, ?, ?, ?, 'draft', 0, ?, ?, ?, ?, ?, ?, ?)");
    int rc = VG_EIO;
    if (q) {
        sq_bind_text(q, 1, ref);
        sq_bind_text(q, 2, kind);
        sqlite3_bind_int(q, 3, year);
        sqlite3_bind_int64(q, 4, n);
        bind_str_or_null(q, 5, draft, "title");
        bind_str_or_null(q, 6, draft, "tlp");
        sq_bind_json(q, 7, draft);
        sq_bind_json(q, 8, authors);
        bind_json_or_null(q, 9, internal);
        sq_bind_text(q, 10, now);
        sq_bind_text(q, 11, now);
        rc = sq_step_done(s, q);
    }
    json_t *detail = json_pack("{s:s,s:O}", "ref", ref, "content", draft);
    snprintf(obj, sizeof obj, "advisory:%s", ref);
    json_decref(draft);
    json_decref(authors);
    if (rc == 0)
        rc = sq_audit(s, who, "advisory.create", obj, detail);
    json_decref(detail);
    if (rc == 0 && vg_mem_thread_failures() != before) { /* a JSON text bound as NULL */
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    if (rc || sq_commit(s))
        return sq_fail(s, d);
    rc = adv_get(st, ref, out);
    return rc ? vg_diag_set(d, rc, "", "cannot read advisory %s back", ref) : 0;
}

static int adv_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                    json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long before;
    if (sq_cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    sqlite3_stmt *q = sq_prep(s, "SELECT " ST_ADV_COLS " FROM advisory "
                                 "WHERE (?1 = 0 OR id < ?1) AND (?2 IS NULL OR kind = ?2) "
                                 "AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR year = ?4) "
                                 "AND (?5 IS NULL OR title LIKE ?5 ESCAPE '\\') "
                                 "ORDER BY id DESC LIMIT ?6");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, before);
    bind_str_or_null(q, 2, filters, "kind");
    bind_str_or_null(q, 3, filters, "status");
    const json_t *year = json_object_get(filters, "year");
    if (json_is_integer(year))
        sqlite3_bind_int64(q, 4, json_integer_value(year));
    const char *text = vg_json_str(filters, "q");
    if (text) {
        char *pat = st_like_pattern(text, false);
        if (!pat) {
            sq_done(s, q);
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        }
        sqlite3_bind_text(q, 5, pat, -1, free);
    }
    sqlite3_bind_int(q, 6, page->limit + 1);
    unsigned long failures = vg_mem_thread_failures();
    *out = sq_page(q, page->limit, list_row);
    sq_done(s, q);
    if (*out && vg_mem_thread_failures() == failures)
        return 0;
    json_decref(*out);
    *out = NULL;
    return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int adv_save(struct vg_store *st, const struct vg_actor *who, const char *ref,
                    const json_t *rec, const json_t *revision, const char *action,
                    const json_t *detail, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    s->adv_gen++; /* what is published may change: vg_store_advisory_published_stamp looks */
    char now[VG_TIME_LEN], obj[80];
    unsigned long before = vg_mem_thread_failures();
    vg_time_now(now);
    snprintf(obj, sizeof obj, "advisory:%s", ref);
    const json_t *text = st_advisory_working_text(rec);
    /* its status and text checked by vg_store_advisory_save */
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "UPDATE advisory SET status = ?, version = ?, title = ?, tlp = ?, "
                                 "published = ?, draft = ?, pending_description = ?, "
                                 "authors = ?, internal = ?, published_at = ?, "
                                 "last_published_at = ?, closed_at = ?, updated = ? "
                                 "WHERE ref = ? RETURNING id");
    if (!q)
        return sq_fail(s, d);
    const json_t *authors = json_object_get(rec, "authors");
    sq_bind_text(q, 1, vg_json_str(rec, "status"));
    sqlite3_bind_int64(q, 2, json_integer_value(json_object_get(rec, "version")));
    sq_bind_text(q, 3, vg_json_str(text, "title"));
    sq_bind_text(q, 4, vg_json_str(text, "tlp"));
    bind_json_or_null(q, 5, json_object_get(rec, "published"));
    bind_json_or_null(q, 6, json_object_get(rec, "draft"));
    bind_str_or_null(q, 7, rec, "pending_description");
    if (json_is_array(authors))
        sq_bind_json(q, 8, authors);
    else
        sq_bind_text(q, 8, "[]");
    bind_json_or_null(q, 9, json_object_get(rec, "internal"));
    bind_str_or_null(q, 10, rec, "published_at");
    bind_str_or_null(q, 11, rec, "last_published_at");
    bind_str_or_null(q, 12, rec, "closed_at");
    sq_bind_text(q, 13, now);
    sq_bind_text(q, 14, ref);
    int step = sqlite3_step(q);
    long long id = step == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    if (step == SQLITE_ROW)
        step = sqlite3_step(q);
    sq_done(s, q);
    if (step != SQLITE_DONE)
        return sq_fail(s, d);
    if (id == 0) {
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "ref", "no advisory %s", ref);
    }
    if (revision) {
        q = sq_prep(s, "INSERT INTO advisory_revision(advisory_id, version, date, description, "
                       "content, authors, publisher) VALUES (?, ?, ?, ?, ?, ?, ?)");
        if (!q)
            return sq_fail(s, d);
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int64(q, 2, json_integer_value(json_object_get(revision, "version")));
        sq_bind_text(q, 3, vg_json_str(revision, "date"));
        sq_bind_text(q, 4, vg_json_str(revision, "description"));
        sq_bind_json(q, 5, json_object_get(revision, "content"));
        const json_t *ra = json_object_get(revision, "authors");
        if (json_is_array(ra))
            sq_bind_json(q, 6, ra);
        else
            sq_bind_text(q, 6, "[]");
        sq_bind_text(q, 7, vg_json_str(revision, "publisher"));
        if (sqlite3_step(q) != SQLITE_DONE) {
            bool dup = sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE;
            int rc = dup ? vg_diag_set(d, VG_EEXIST, "version", "%s: version %lld exists", ref,
                                       (long long)json_integer_value(json_object_get(revision,
                                                                                     "version")))
                         : sq_db_error(s, d);
            sq_done(s, q);
            sq_rollback(s);
            return rc;
        }
        sq_done(s, q);
    }
    if (sq_audit(s, who, action, obj, detail))
        return sq_fail(s, d);
    if (vg_mem_thread_failures() != before) { /* a JSON text bound as NULL */
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    if (sq_commit(s))
        return sq_fail(s, d);
    int rc = adv_get(st, ref, out);
    return rc ? vg_diag_set(d, rc, "", "cannot read advisory %s back", ref) : 0;
}

static int adv_published_each(struct vg_store *st, int (*fn)(void *ctx, const json_t *rec),
                              void *ctx)
{
    struct sq *s = sq_of(st);
    /* its own statement (not the cache's): fn may read the store while this one steps */
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " ST_ADV_COLS " FROM advisory WHERE published IS NOT NULL "
                           "ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return VG_EIO;
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
        unsigned long before = vg_mem_thread_failures();
        json_t *a = adv_row(q);
        json_t *revs = revisions_of(s, sqlite3_column_int64(q, 0));
        if (!a || !revs || vg_mem_thread_failures() != before)
            rc = vg_mem_thread_failures() != before ? VG_ENOMEM : VG_EIO;
        else {
            json_object_set_new(a, "revisions", revs);
            revs = NULL;
            rc = fn(ctx, a);
        }
        json_decref(a);
        json_decref(revs);
    }
    if (!rc && step != SQLITE_DONE)
        rc = VG_EIO;
    sqlite3_finalize(q);
    return rc;
}

static int adv_published_stamp(struct vg_store *st, char *out, size_t cap)
{
    struct sq *s = sq_of(st);
    long long dv = sq_scalar(s, "PRAGMA data_version");
    if (dv < 0)
        return VG_EIO;
    if (dv != s->adv_data_version || s->adv_gen != s->adv_gen_seen) {
        sqlite3_stmt *q = sq_prep(s, "SELECT count(*), coalesce(sum(version), 0), "
                                     "coalesce(max(last_published_at), ''), "
                                     "coalesce(max(closed_at), '') "
                                     "FROM advisory WHERE published IS NOT NULL");
        if (!q)
            return VG_EIO;
        if (sqlite3_step(q) != SQLITE_ROW) {
            sq_done(s, q);
            return VG_EIO;
        }
        snprintf(s->adv_stamp, sizeof s->adv_stamp, "%lld|%lld|%s|%s",
                 (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 1),
                 sq_col_text(q, 2), sq_col_text(q, 3));
        sq_done(s, q);
        s->adv_data_version = dv;
        s->adv_gen_seen = s->adv_gen;
    }
    snprintf(out, cap, "%s", s->adv_stamp);
    return 0;
}

const struct vg_store_advisory_ops sq_advisory_ops = {
    .create = adv_create,
    .get = adv_get,
    .list = adv_list,
    .save = adv_save,
    .published_each = adv_published_each,
    .published_stamp = adv_published_stamp,
};
