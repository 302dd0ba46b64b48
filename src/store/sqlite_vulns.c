/* Vulnerabilities in the SQLite backend: records as imported (one per CVE and source, a
 * newer `modified` replaces), the per-CVE summary, KEV and EPSS, the products each record
 * names and the assets of the organisations. Findings are in sqlite_findings.c, their lists
 * and digests in sqlite_digests.c. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"
#include "util/mem.h"
#include "util/sort.h"
#include "util/time.h"

static void bind_score(sqlite3_stmt *q, int i, double v)
{
    if (v >= 0)
        sqlite3_bind_double(q, i, v);
    else
        sqlite3_bind_null(q, i);
}

/* Stores one record inside the caller's transaction; *res 0 added, 1 updated, 2 unchanged. */
static int put_record(struct sq *s, const struct vg_store_vrec *v, const char *now, int *res)
{
    sqlite3_stmt *q = sq_prep(s, "SELECT modified FROM vuln_record WHERE key = ? AND source = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, v->key);
    sq_bind_text(q, 2, v->source);
    int step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        int newer = strcmp(v->modified ? v->modified : "", sq_col_text(q, 0)) > 0;
        sq_done(s, q);
        if (!newer) {
            *res = 2;
            return 0;
        }
        *res = 1;
    } else {
        sq_done(s, q);
        if (step != SQLITE_DONE)
            return VG_EIO;
        *res = 0;
    }
    q = sq_prep(s, "INSERT OR REPLACE INTO vuln_record(key, source, modified, published, cvss, "
                   "cvss_version, severity, description, json, imported) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?)");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, v->key);
    sq_bind_text(q, 2, v->source);
    sq_bind_text(q, 3, v->modified ? v->modified : "");
    sq_bind_text(q, 4, v->published ? v->published : "");
    bind_score(q, 5, v->cvss);
    sq_bind_text(q, 6, v->cvss_version);
    sq_bind_text(q, 7, v->severity);
    sq_bind_text(q, 8, v->description ? v->description : "");
    sqlite3_bind_text(q, 9, v->json, (int)v->json_len, SQLITE_STATIC);
    sq_bind_text(q, 10, now);
    if (sq_step_done(s, q))
        return VG_EIO;
    /* its compact form, or none (a stale one would be read instead of the new JSON) */
    q = sq_prep(s, v->compact ? "INSERT OR REPLACE INTO vuln_compact(key, source, data) "
                                "VALUES (?,?,?)"
                              : "DELETE FROM vuln_compact WHERE key = ? AND source = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, v->key);
    sq_bind_text(q, 2, v->source);
    if (v->compact)
        sqlite3_bind_blob(q, 3, v->compact, (int)v->compact_len, SQLITE_STATIC);
    if (sq_step_done(s, q))
        return VG_EIO;
    /* the summary follows the preferred record: one with a score, NVD's first */
    q = sq_prep(s, "INSERT OR REPLACE INTO vuln(key, cve, published, modified, cvss, "
                   "cvss_version, severity, description) "
                   "SELECT key, ?2, published, modified, cvss, cvss_version, severity, "
                   "description FROM vuln_record WHERE key = ?1 "
                   "ORDER BY cvss IS NULL, source = 'cve5' LIMIT 1");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, v->key);
    sq_bind_text(q, 2, v->cve);
    if (sq_step_done(s, q))
        return VG_EIO;
    for (size_t i = 0; i < v->nproducts; i++) {
        q = sq_prep(s, "INSERT OR IGNORE INTO vuln_product(product, key) VALUES (?,?)");
        if (!q)
            return VG_EIO;
        sq_bind_text(q, 1, v->products[i]);
        sqlite3_bind_int64(q, 2, v->key);
        if (sq_step_done(s, q))
            return VG_EIO;
    }
    return 0;
}

int sq_vuln_put(struct vg_store *st, const struct vg_store_vrec *v, size_t n, int *result,
                struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    /* each record checked by vg_store_vuln_put */
    if (sq_begin(s))
        return sq_db_error(s, d);
    for (size_t i = 0; i < n; i++) {
        int res = 2;
        if (put_record(s, &v[i], now, &res))
            return sq_fail(s, d);
        if (result)
            result[i] = res;
    }
    if (sq_commit(s))
        return sq_fail(s, d);
    return 0;
}

int sq_kev_put(struct vg_store *st, const struct vg_store_kev *k, size_t n, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (sq_begin(s))
        return sq_db_error(s, d);
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *q = sq_prep(s, "INSERT OR REPLACE INTO kev(key, date_added, due_date, "
                                     "ransomware, vendor, product) VALUES (?,?,?,?,?,?)");
        if (!q)
            return sq_fail(s, d);
        sqlite3_bind_int64(q, 1, k[i].key);
        sq_bind_text(q, 2, k[i].date_added ? k[i].date_added : "");
        sq_bind_text(q, 3, k[i].due_date ? k[i].due_date : "");
        sqlite3_bind_int(q, 4, k[i].ransomware);
        sq_bind_text(q, 5, k[i].vendor ? k[i].vendor : "");
        sq_bind_text(q, 6, k[i].product ? k[i].product : "");
        if (sq_step_done(s, q))
            return sq_fail(s, d);
    }
    if (sq_commit(s))
        return sq_fail(s, d);
    return 0;
}

static int set_meta(struct sq *s, const char *name, const char *value)
{
    if (!value || !value[0])
        return 0;
    sqlite3_stmt *q = sq_prep(s, "INSERT OR REPLACE INTO vuln_meta(name, value) VALUES (?,?)");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, name);
    sq_bind_text(q, 2, value);
    return sq_step_done(s, q);
}

int sq_epss_put(struct vg_store *st, const struct vg_store_epss *e, size_t n, const char *model,
                const char *date, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (sq_begin(s))
        return sq_db_error(s, d);
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *q =
            sq_prep(s, "INSERT OR REPLACE INTO epss(key, score, percentile) VALUES (?,?,?)");
        if (!q)
            return sq_fail(s, d);
        sqlite3_bind_int64(q, 1, e[i].key);
        sqlite3_bind_double(q, 2, e[i].score);
        sqlite3_bind_double(q, 3, e[i].percentile);
        if (sq_step_done(s, q))
            return sq_fail(s, d);
    }
    if (set_meta(s, "epss_model", model) || set_meta(s, "epss_date", date))
        return sq_fail(s, d);
    if (sq_commit(s))
        return sq_fail(s, d);
    return 0;
}

static void kev_row(sqlite3_stmt *q, struct vg_store_kev *k)
{
    k->key = sqlite3_column_int64(q, 0);
    k->date_added = sq_col_text(q, 1);
    k->due_date = sq_col_text(q, 2);
    k->ransomware = sqlite3_column_int(q, 3) != 0;
    k->vendor = sq_col_text(q, 4);
    k->product = sq_col_text(q, 5);
}

/* Runs q (bound by the caller) and calls the callback that fits `what` for each row; *rows
 * (may be NULL) = the number of rows. */
static int each_row(struct sq *s, sqlite3_stmt *q, int what, vg_store_vrec_fn fn,
                    vg_store_kev_fn kfn, vg_store_epss_fn efn, void *ctx, long long *rows)
{
    int rc = 0, step;
    long long n = 0;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        n++;
        if (what == 0) {
            const void *data = sqlite3_column_blob(q, 1);
            rc = fn(ctx, sq_col_text(q, 0), data ? data : "", (size_t)sqlite3_column_bytes(q, 1),
                    sqlite3_column_int(q, 2) != 0);
        } else if (what == 1) {
            struct vg_store_kev k;
            kev_row(q, &k);
            rc = kfn(ctx, &k);
        } else {
            struct vg_store_epss e = {sqlite3_column_int64(q, 0), sqlite3_column_double(q, 1),
                                      sqlite3_column_double(q, 2)};
            rc = efn(ctx, &e);
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = VG_EIO;
    sq_done(s, q);
    if (rows)
        *rows = n;
    return rc;
}

/* The records that have no compact form, as JSON, given that `compact` had one: none unless
 * imported before schema 4. (Counting the records reads a small index; counting the compact
 * forms would read the whole table again.) */
static int each_json_only(struct sq *s, long long compact, vg_store_vrec_fn fn, void *ctx)
{
    long long records = sq_scalar(s, "SELECT count(*) FROM vuln_record");
    if (records < 0)
        return VG_EIO;
    if (records <= compact)
        return 0;
    sqlite3_stmt *q =
        sq_prep(s, "SELECT r.source, r.json, 0 FROM vuln_record r WHERE NOT EXISTS (SELECT 1 "
                   "FROM vuln_compact c WHERE c.key = r.key AND c.source = r.source) "
                   "ORDER BY r.key, r.source");
    return q ? each_row(s, q, 0, fn, NULL, NULL, ctx, NULL) : VG_EIO;
}

int sq_vuln_each(struct vg_store *st, const long long *keys, size_t nkeys, vg_store_vrec_fn fn,
                 vg_store_kev_fn kfn, vg_store_epss_fn efn, void *ctx)
{
    struct sq *s = sq_of(st);
    /* records: their compact forms, then (only if some lack one) the JSON of those */
    static const char *const all[] = {
        "SELECT source, data, 1 FROM vuln_compact ORDER BY key, source",
        "SELECT key, date_added, due_date, ransomware, vendor, product FROM kev",
        "SELECT key, score, percentile FROM epss",
    };
    static const char *const one[] = {
        "SELECT r.source, coalesce(c.data, r.json), c.data IS NOT NULL FROM vuln_record r "
        "LEFT JOIN vuln_compact c ON c.key = r.key AND c.source = r.source "
        "WHERE r.key = ? ORDER BY r.source",
        "SELECT key, date_added, due_date, ransomware, vendor, product FROM kev WHERE key = ?",
        "SELECT key, score, percentile FROM epss WHERE key = ?",
    };
    for (int what = 0; what < 3; what++) {
        if ((what == 0 && !fn) || (what == 1 && !kfn) || (what == 2 && !efn))
            continue;
        if (!keys) {
            sqlite3_stmt *q = sq_prep(s, all[what]);
            if (!q)
                return VG_EIO;
            long long rows = 0;
            int rc = each_row(s, q, what, fn, kfn, efn, ctx, &rows);
            if (rc)
                return rc;
            if (what == 0 && (rc = each_json_only(s, rows, fn, ctx)))
                return rc;
            continue;
        }
        for (size_t i = 0; i < nkeys; i++) {
            sqlite3_stmt *q = sq_prep(s, one[what]);
            if (!q)
                return VG_EIO;
            sqlite3_bind_int64(q, 1, keys[i]);
            int rc = each_row(s, q, what, fn, kfn, efn, ctx, NULL);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int sq_vuln_keys_for_products(struct vg_store *st, const char *const *products, size_t n,
                              vg_store_key_fn fn, void *ctx)
{
    struct sq *s = sq_of(st);
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *q = sq_prep(s, "SELECT key FROM vuln_product WHERE product = ?");
        if (!q)
            return VG_EIO;
        sq_bind_text(q, 1, products[i]);
        int rc = 0, step;
        while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
            rc = fn(ctx, sqlite3_column_int64(q, 0));
        if (rc == 0 && step != SQLITE_DONE)
            rc = VG_EIO;
        sq_done(s, q);
        if (rc)
            return rc;
    }
    return 0;
}

int sq_vuln_assets_each(struct vg_store *st, long long org, vg_store_asset_fn fn, void *ctx)
{
    struct sq *s = sq_of(st);
    /* org_product holds each organisation's text products in their order (triggers) */
    sqlite3_stmt *q =
        sq_prep(s, org ? "SELECT org_id, cpe FROM org_product WHERE org_id = ?1 "
                         "ORDER BY rowid"
                       : "SELECT org_id, cpe FROM org_product ORDER BY org_id, rowid");
    if (!q)
        return VG_EIO;
    if (org)
        sqlite3_bind_int64(q, 1, org);
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
        rc = fn(ctx, sqlite3_column_int64(q, 0), sq_col_text(q, 1));
    if (rc == 0 && step != SQLITE_DONE)
        rc = VG_EIO;
    sq_done(s, q);
    return rc;
}

/* Steps q (bound) and calls fn(org, cpe) per row. */
static int each_product(struct sq *s, sqlite3_stmt *q, vg_store_asset_fn fn, void *ctx)
{
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
        rc = fn(ctx, sqlite3_column_int64(q, 0), sq_col_text(q, 1));
    if (rc == 0 && step != SQLITE_DONE)
        rc = VG_EIO;
    sq_done(s, q);
    return rc;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int sq_vuln_products_for_names(struct vg_store *st, const char *const *names, size_t n,
                               bool whole_orgs, vg_store_asset_fn fn, void *ctx)
{
    struct sq *s = sq_of(st);
    if (!whole_orgs) {
        for (size_t i = 0; i <= n; i++) { /* the last round: products without a name key */
            sqlite3_stmt *q = sq_prep(s, "SELECT org_id, cpe FROM org_product WHERE name_key = ?");
            if (!q)
                return VG_EIO;
            sq_bind_text(q, 1, i < n ? names[i] : "");
            int rc = each_product(s, q, fn, ctx);
            if (rc)
                return rc;
        }
        return 0;
    }
    long long *orgs = NULL;
    size_t norgs = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; !rc && i <= n; i++) {
        sqlite3_stmt *q = sq_prep(s, "SELECT DISTINCT org_id FROM org_product WHERE name_key = ?");
        if (!q) {
            rc = VG_EIO;
            break;
        }
        sq_bind_text(q, 1, i < n ? names[i] : "");
        int step;
        while ((step = sqlite3_step(q)) == SQLITE_ROW) {
            if (norgs == cap) {
                cap = cap ? 2 * cap : 64;
                long long *v = vg_realloc(orgs, cap * sizeof *v);
                if (!v) {
                    rc = VG_ENOMEM;
                    break;
                }
                orgs = v;
            }
            orgs[norgs++] = sqlite3_column_int64(q, 0);
        }
        if (!rc && step != SQLITE_DONE)
            rc = VG_EIO;
        sq_done(s, q);
    }
    if (!rc && norgs)
        vg_sort(orgs, norgs, sizeof *orgs, cmp_ll);
    for (size_t i = 0; !rc && i < norgs; i++) {
        if (i && orgs[i] == orgs[i - 1])
            continue;
        sqlite3_stmt *q =
            sq_prep(s, "SELECT org_id, cpe FROM org_product WHERE org_id = ? ORDER BY rowid");
        if (!q) {
            rc = VG_EIO;
            break;
        }
        sqlite3_bind_int64(q, 1, orgs[i]);
        rc = each_product(s, q, fn, ctx);
    }
    free(orgs);
    return rc;
}

int sq_asset_ids_each(struct vg_store *st, vg_store_asset_id_fn fn, void *ctx)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT id, cpe FROM asset ORDER BY cpe");
    return q ? each_product(s, q, fn, ctx) : VG_EIO; /* rows of (number, name) alike */
}

int sq_vuln_get(struct vg_store *st, const char *cve, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT v.key, v.published, v.modified, v.cvss, v.cvss_version, "
                                 "v.severity, v.description, k.date_added, k.due_date, "
                                 "k.ransomware, k.vendor, k.product, e.score, e.percentile "
                                 "FROM vuln v LEFT JOIN kev k ON k.key = v.key "
                                 "LEFT JOIN epss e ON e.key = v.key WHERE v.cve = ?");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, cve);
    int step = sqlite3_step(q);
    if (step != SQLITE_ROW) {
        sq_done(s, q);
        return step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    }
    long long key = sqlite3_column_int64(q, 0);
    json_t *cvss = json_null(), *kev = json_null(), *epss = json_null();
    if (sqlite3_column_type(q, 3) != SQLITE_NULL)
        cvss = json_pack("{s:f,s:o,s:o}", "score", sqlite3_column_double(q, 3), "version",
                         sq_col_null(q, 4), "severity", sq_col_null(q, 5));
    if (sqlite3_column_type(q, 7) != SQLITE_NULL)
        kev = json_pack("{s:s,s:s,s:b,s:s,s:s}", "dateAdded", sq_col_text(q, 7), "dueDate",
                        sq_col_text(q, 8), "knownRansomwareCampaignUse", sqlite3_column_int(q, 9),
                        "vendorProject", sq_col_text(q, 10), "product", sq_col_text(q, 11));
    if (sqlite3_column_type(q, 12) != SQLITE_NULL)
        epss = json_pack("{s:f,s:f}", "score", sqlite3_column_double(q, 12), "percentile",
                         sqlite3_column_double(q, 13));
    json_t *v = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "cve", cve, "published",
                          sq_col_text(q, 1), "modified", sq_col_text(q, 2), "description",
                          sq_col_text(q, 6), "cvss", cvss, "kev", kev, "epss", epss);
    sq_done(s, q);
    json_t *records = json_array(), *affected = json_array();
    q = sq_prep(s, "SELECT source, modified, json FROM vuln_record WHERE key = ? ORDER BY source "
                   "DESC");
    if (q) {
        sqlite3_bind_int64(q, 1, key);
        while (sqlite3_step(q) == SQLITE_ROW)
            json_array_append_new(records, json_pack("{s:s,s:s,s:o}", "source", sq_col_text(q, 0),
                                                     "modified", sq_col_text(q, 1), "record",
                                                     sq_col_json(q, 2)));
        sq_done(s, q);
    }
    q = sq_prep(s, "SELECT o.id, o.name, a.cpe FROM finding f JOIN org o ON o.id = f.org_id "
                   "JOIN asset a ON a.id = f.asset_id WHERE f.key = ? ORDER BY o.id, a.cpe");
    if (q) {
        sqlite3_bind_int64(q, 1, key);
        json_t *cur = NULL;
        long long cur_id = 0;
        while (sqlite3_step(q) == SQLITE_ROW) {
            long long id = sqlite3_column_int64(q, 0);
            if (!cur || id != cur_id) {
                cur = json_pack("{s:I,s:s,s:[]}", "org", (json_int_t)id, "name", sq_col_text(q, 1),
                                "assets");
                json_array_append_new(affected, cur);
                cur_id = id;
            }
            json_array_append_new(json_object_get(cur, "assets"), json_string(sq_col_text(q, 2)));
        }
        sq_done(s, q);
    }
    json_object_set_new(v, "records", records);
    json_object_set_new(v, "affected", affected);
    *out = v;
    return 0;
}
