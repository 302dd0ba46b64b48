/* SQLite backend: upstream advisories (store/upstream.h), other CERTs' publications. The CVEs
 * and product keys of each live in upstream_cve and upstream_product, so that the advisories
 * naming a CVE, and the organisations one concerns (findings joined by CVE, org_product rows
 * joined by product key), are found by index. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <string.h>

#include "store/row_int.h"
#include "util/json.h"
#include "util/time.h"

#define ADV_COLS                                                                                   \
    "a.id, a.ref, a.source, a.title, a.kind, a.first_date, a.last_date, a.revisions, "             \
    "a.closed_at, a.imported, a.updated, (SELECT json_group_array(cve) FROM (SELECT cve FROM "     \
    "upstream_cve WHERE advisory_id = a.id ORDER BY cve))"

/* A row of ADV_COLS as the list gives it. */
static json_t *adv_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_upstream(&w);
}

/* The row id of the upstream advisory of reference ref (the first imported), 0 if none, -1
 * on error. */
static long long advisory_id(struct sq *s, const char *ref)
{
    sqlite3_stmt *q = sq_prep(s, "SELECT id FROM upstream_advisory WHERE ref = ? ORDER BY id "
                                 "LIMIT 1");
    if (!q)
        return -1;
    sq_bind_text(q, 1, ref);
    int step = sqlite3_step(q);
    long long id = step == SQLITE_ROW ? sqlite3_column_int64(q, 0) : step == SQLITE_DONE ? 0 : -1;
    sq_done(s, q);
    return id;
}

/* Inserts the strings of array v as (value, advisory id) rows with sql. */
static int insert_each(struct sq *s, const char *sql, const json_t *v, long long id)
{
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it) {
        if (!json_is_string(it))
            continue;
        sqlite3_stmt *q = sq_prep(s, sql);
        if (!q)
            return VG_EIO;
        sq_bind_text(q, 1, json_string_value(it));
        sqlite3_bind_int64(q, 2, id);
        if (sq_step_done(s, q))
            return VG_EIO;
    }
    return 0;
}

/* Binds the columns of rec shared by the insert and the update: title, kind, first_date,
 * last_date, revisions, closed_at, document as parameters 1 to 7. */
static void bind_content(sqlite3_stmt *q, const json_t *rec)
{
    sq_bind_text(q, 1, vg_json_str(rec, "title"));
    sq_bind_text(q, 2, vg_json_str(rec, "kind"));
    sq_bind_text(q, 3, vg_json_str(rec, "first_date"));
    sq_bind_text(q, 4, vg_json_str(rec, "last_date"));
    sqlite3_bind_int64(q, 5, json_integer_value(json_object_get(rec, "revisions")));
    sq_bind_text(q, 6, vg_json_str(rec, "closed_at"));
    sq_bind_json(q, 7, json_object_get(rec, "document"));
}

static int upstream_put(struct vg_store *st, const struct vg_actor *who, const json_t *rec,
                        int *result, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN], obj[VG_MAX_NAME + 16];
    vg_time_now(now);
    const char *source = vg_json_str(rec, "source"), *ref = vg_json_str(rec, "ref");
    /* source, ref, title and kind checked by vg_store_upstream_put */
    snprintf(obj, sizeof obj, "upstream:%s", ref);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "SELECT id, COALESCE(last_date, ''), revisions FROM "
                                 "upstream_advisory WHERE source = ? AND ref = ?");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, source);
    sq_bind_text(q, 2, ref);
    int step = sqlite3_step(q);
    long long id = 0;
    int cmp = 1;
    if (step == SQLITE_ROW) {
        id = sqlite3_column_int64(q, 0);
        cmp = st_upstream_compare_held(rec, sq_col_text(q, 1), sqlite3_column_int64(q, 2));
    }
    sq_done(s, q);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return sq_fail(s, d);
    if (id && cmp <= 0) {
        sq_rollback(s); /* nothing written */
        *result = cmp == 0 ? VG_UPSTREAM_UNCHANGED : VG_UPSTREAM_OLDER;
        return 0;
    }
    if (id) {
        q = sq_prep(s, "UPDATE upstream_advisory SET title = ?, kind = ?, first_date = ?, "
                       "last_date = ?, revisions = ?, closed_at = ?, document = ?, updated = ? "
                       "WHERE id = ?");
        if (!q)
            return sq_fail(s, d);
        bind_content(q, rec);
        sq_bind_text(q, 8, now);
        sqlite3_bind_int64(q, 9, id);
        if (sq_step_done(s, q))
            return sq_fail(s, d);
        q = sq_prep(s, "DELETE FROM upstream_cve WHERE advisory_id = ?");
        if (!q)
            return sq_fail(s, d);
        sqlite3_bind_int64(q, 1, id);
        if (sq_step_done(s, q))
            return sq_fail(s, d);
        q = sq_prep(s, "DELETE FROM upstream_product WHERE advisory_id = ?");
        if (!q)
            return sq_fail(s, d);
        sqlite3_bind_int64(q, 1, id);
        if (sq_step_done(s, q))
            return sq_fail(s, d);
    } else {
        q = sq_prep(s, "INSERT INTO upstream_advisory(title, kind, first_date, last_date, "
                       "revisions, closed_at, document, source, ref, imported, updated) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        if (!q)
            return sq_fail(s, d);
        bind_content(q, rec);
        sq_bind_text(q, 8, source);
        sq_bind_text(q, 9, ref);
        sq_bind_text(q, 10, now);
        sq_bind_text(q, 11, now);
        if (sq_step_done(s, q))
            return sq_fail(s, d);
        id = sqlite3_last_insert_rowid(s->db);
    }
    if (insert_each(s, "INSERT OR IGNORE INTO upstream_cve(cve, advisory_id) VALUES (?,?)",
                    json_object_get(rec, "cves"), id) ||
        insert_each(s, "INSERT OR IGNORE INTO upstream_product(name_key, advisory_id) VALUES (?,?)",
                    json_object_get(rec, "products"), id))
        return sq_fail(s, d);
    json_t *detail =
        json_pack("{s:s,s:O?}", "source", source, "revisions", json_object_get(rec, "revisions"));
    int bad =
        sq_audit(s, who, cmp > 0 && step == SQLITE_ROW ? "upstream.update" : "upstream.import", obj,
                 detail);
    json_decref(detail);
    if (bad || sq_commit(s))
        return sq_fail(s, d);
    *result = step == SQLITE_ROW ? VG_UPSTREAM_UPDATED : VG_UPSTREAM_IMPORTED;
    return 0;
}

/* The strings of column 0 of q's rows (q bound, given back here), into a new array. */
static json_t *column_strings(struct sq *s, sqlite3_stmt *q)
{
    json_t *arr = json_array();
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(arr, json_string(sq_col_text(q, 0)));
    sq_done(s, q);
    if (step != SQLITE_DONE) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static int upstream_get(struct vg_store *st, const char *ref, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT " ADV_COLS ", a.document FROM upstream_advisory a "
                                 "WHERE a.ref = ? ORDER BY a.id LIMIT 1");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, ref);
    int step = sqlite3_step(q), rc = step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    json_t *a = NULL;
    long long id = 0;
    if (step == SQLITE_ROW) {
        id = sqlite3_column_int64(q, 0);
        a = adv_row(q);
        if (a)
            json_object_set_new(a, "document", sq_col_json(q, 12));
    }
    sq_done(s, q);
    if (!a)
        return step == SQLITE_ROW ? VG_ENOMEM : rc;
    q = sq_prep(s, "SELECT name_key FROM upstream_product WHERE advisory_id = ? ORDER BY name_key");
    json_t *products = NULL;
    if (q) {
        sqlite3_bind_int64(q, 1, id);
        products = column_strings(s, q);
    }
    if (!products) {
        json_decref(a);
        return VG_EIO;
    }
    json_object_set_new(a, "products", products);
    *out = a;
    return 0;
}

static int upstream_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                         json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    /* each filter is one parameter, NULL when not given; the CVE and organisation filters
     * are subqueries run once, by index */
    sqlite3_stmt *q =
        sq_prep(s,
                "SELECT " ADV_COLS " FROM upstream_advisory a WHERE a.id > ?1 "
                "AND (?2 IS NULL OR a.source = ?2) "
                "AND (?3 IS NULL OR a.id IN (SELECT advisory_id FROM upstream_cve WHERE cve = ?3)) "
                "AND (?4 IS NULL OR a.id IN ("
                "SELECT u.advisory_id FROM finding f JOIN vuln v ON v.key = f.key "
                "JOIN upstream_cve u ON u.cve = v.cve WHERE f.org_id = ?4 "
                "UNION SELECT up.advisory_id FROM org_product p JOIN upstream_product up "
                "ON up.name_key = p.name_key WHERE p.org_id = ?4 AND p.name_key <> '')) "
                "AND (?5 IS NULL OR instr(lower(a.title), lower(?5)) > 0 "
                "OR instr(lower(a.ref), lower(?5)) > 0) "
                "ORDER BY a.id LIMIT ?6");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, after);
    sq_bind_text(q, 2, vg_json_str(filters, "source"));
    sq_bind_text(q, 3, vg_json_str(filters, "cve"));
    const json_t *org = json_object_get(filters, "org");
    if (json_is_integer(org))
        sqlite3_bind_int64(q, 4, json_integer_value(org));
    sq_bind_text(q, 5, vg_json_str(filters, "q"));
    sqlite3_bind_int(q, 6, page->limit + 1);
    *out = sq_page(q, page->limit, adv_row);
    sq_done(s, q);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

/* Appends to list the rows of q (org id, org name, value; ordered by org), one entry per
 * organisation {"org","name","why": why, key: [values]}. Gives q back. */
static int group_by_org(struct sq *s, sqlite3_stmt *q, const char *why, const char *key,
                        json_t *list)
{
    json_t *cur = NULL;
    int step;
    struct vg_row w = vg_row_sqlite(q);
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        if (st_upstream_group_row(list, &cur, &w, why, key)) {
            step = SQLITE_NOMEM;
            break;
        }
    sq_done(s, q);
    return step == SQLITE_DONE ? 0 : VG_EIO;
}

static int upstream_constituents(struct vg_store *st, const char *ref, json_t **out)
{
    struct sq *s = sq_of(st);
    long long id = advisory_id(s, ref);
    if (id <= 0)
        return id == 0 ? VG_ENOENT : VG_EIO;
    json_t *byfinding = json_array(), *byproduct = json_array();
    int rc = VG_EIO;
    sqlite3_stmt *q = sq_prep(s, "SELECT o.id, o.name, u.cve FROM upstream_cve u "
                                 "JOIN vuln v ON v.cve = u.cve JOIN finding f ON f.key = v.key "
                                 "JOIN org o ON o.id = f.org_id WHERE u.advisory_id = ? "
                                 "GROUP BY o.id, u.cve ORDER BY o.id, u.cve");
    if (!q)
        goto out;
    sqlite3_bind_int64(q, 1, id);
    if (group_by_org(s, q, "finding", "cves", byfinding))
        goto out;
    q = sq_prep(s, "SELECT o.id, o.name, p.cpe FROM upstream_product u "
                   "JOIN org_product p ON p.name_key = u.name_key "
                   "JOIN org o ON o.id = p.org_id WHERE u.advisory_id = ? "
                   "GROUP BY o.id, p.cpe ORDER BY o.id, p.cpe");
    if (!q)
        goto out;
    sqlite3_bind_int64(q, 1, id);
    if (group_by_org(s, q, "product", "products", byproduct))
        goto out;
    /* merged by organisation id, its finding entry first */
    json_t *all = st_upstream_merge(byfinding, byproduct);
    *out = all;
    rc = all ? 0 : VG_ENOMEM;
out:
    json_decref(byfinding);
    json_decref(byproduct);
    return rc;
}

const struct vg_store_upstream_ops sq_upstream_ops = {
    .put = upstream_put,
    .get = upstream_get,
    .list = upstream_list,
    .constituents = upstream_constituents,
};
