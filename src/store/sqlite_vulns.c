/* Vulnerabilities in the SQLite backend: records as imported (one per CVE and source, a
 * newer `modified` replaces), the per-CVE summary, KEV and EPSS, the products each record
 * names, findings (replaced scope by scope, first_seen kept) and per-organisation digests. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"
#include "util/time.h"

static const char *const SOURCES[] = {"nvd", "cve5"};

static int fail(struct sq *s, struct vg_diag *d)
{
    int rc = sq_db_error(s, d);
    sq_rollback(s);
    return rc;
}

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
    for (size_t i = 0; i < n; i++)
        if (!v[i].cve || !v[i].key || !v[i].json || !v[i].source ||
            (strcmp(v[i].source, SOURCES[0]) != 0 && strcmp(v[i].source, SOURCES[1]) != 0))
            return vg_diag_set(d, VG_EINVAL, "", "record %zu is incomplete", i);
    if (sq_begin(s))
        return sq_db_error(s, d);
    for (size_t i = 0; i < n; i++) {
        int res = 2;
        if (put_record(s, &v[i], now, &res))
            return fail(s, d);
        if (result)
            result[i] = res;
    }
    if (sq_commit(s))
        return fail(s, d);
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
            return fail(s, d);
        sqlite3_bind_int64(q, 1, k[i].key);
        sq_bind_text(q, 2, k[i].date_added ? k[i].date_added : "");
        sq_bind_text(q, 3, k[i].due_date ? k[i].due_date : "");
        sqlite3_bind_int(q, 4, k[i].ransomware);
        sq_bind_text(q, 5, k[i].vendor ? k[i].vendor : "");
        sq_bind_text(q, 6, k[i].product ? k[i].product : "");
        if (sq_step_done(s, q))
            return fail(s, d);
    }
    if (sq_commit(s))
        return fail(s, d);
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
            return fail(s, d);
        sqlite3_bind_int64(q, 1, e[i].key);
        sqlite3_bind_double(q, 2, e[i].score);
        sqlite3_bind_double(q, 3, e[i].percentile);
        if (sq_step_done(s, q))
            return fail(s, d);
    }
    if (set_meta(s, "epss_model", model) || set_meta(s, "epss_date", date))
        return fail(s, d);
    if (sq_commit(s))
        return fail(s, d);
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
    sqlite3_stmt *q = sq_prep(s, "SELECT r.source, r.json, 0 FROM vuln_record r WHERE NOT EXISTS (SELECT 1 "
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
    sqlite3_stmt *q = sq_prep(s, org ? "SELECT org_id, cpe FROM org_product WHERE org_id = ?1 "
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
                long long *v = realloc(orgs, cap * sizeof *v);
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
        qsort(orgs, norgs, sizeof *orgs, cmp_ll);
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

/* The id of asset name cpe, created if needed; 0 on error. */
static long long asset_id(struct sq *s, const char *cpe)
{
    sqlite3_stmt *q = sq_prep(s, "INSERT OR IGNORE INTO asset(cpe) VALUES (?)");
    if (!q)
        return 0;
    sq_bind_text(q, 1, cpe);
    if (sq_step_done(s, q))
        return 0;
    q = sq_prep(s, "SELECT id FROM asset WHERE cpe = ?");
    if (!q)
        return 0;
    sq_bind_text(q, 1, cpe);
    long long id = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sq_done(s, q);
    return id;
}

static int exec_changes(struct sq *s, sqlite3_stmt *q, long long *changes)
{
    int rc = sqlite3_step(q);
    sq_done(s, q);
    if (rc != SQLITE_DONE)
        return VG_EIO;
    if (changes)
        *changes = sqlite3_changes64(s->db);
    return 0;
}

/* ---- findings fingerprints (schema 4, finding_sum) ---- */

/* Per-organisation changes to a fingerprint: open addressing on the organisation id. */
struct osums {
    long long *org; /* 0: empty slot */
    long long *n;
    uint64_t *h;
    size_t cap, used;
};

static void osums_free(struct osums *o)
{
    free(o->org);
    free(o->n);
    free(o->h);
    memset(o, 0, sizeof *o);
}

/* Adds sign * one finding (asset id, key) to org's entry. */
static int osums_add(struct osums *o, long long org, long long asset, long long key, int sign)
{
    if (2 * (o->used + 1) > o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 64;
        struct osums g = {calloc(cap, sizeof *g.org), calloc(cap, sizeof *g.n),
                          calloc(cap, sizeof *g.h), cap, 0};
        if (!g.org || !g.n || !g.h) {
            osums_free(&g);
            return VG_ENOMEM;
        }
        for (size_t i = 0; i < o->cap; i++) {
            if (!o->org[i])
                continue;
            size_t j = (size_t)vg_store_finding_hash(o->org[i], 0) & (cap - 1);
            while (g.org[j])
                j = (j + 1) & (cap - 1);
            g.org[j] = o->org[i];
            g.n[j] = o->n[i];
            g.h[j] = o->h[i];
            g.used++;
        }
        osums_free(o);
        *o = g;
    }
    size_t j = (size_t)vg_store_finding_hash(org, 0) & (o->cap - 1);
    while (o->org[j] && o->org[j] != org)
        j = (j + 1) & (o->cap - 1);
    if (!o->org[j]) {
        o->org[j] = org;
        o->used++;
    }
    if (asset) {
        o->n[j] += sign;
        o->h[j] ^= vg_store_finding_hash(asset, key);
    }
    return 0;
}

/* Steps q, whose rows are (org_id, asset_id, key) of findings written or deleted, adding
 * each to o with sign; *rows = their number. */
static int osums_rows(struct sq *s, sqlite3_stmt *q, struct osums *o, int sign, long long *rows)
{
    int rc = 0, step;
    *rows = 0;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        rc = osums_add(o, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
                       sqlite3_column_int64(q, 2), sign);
        ++*rows;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = VG_EIO;
    sq_done(s, q);
    return rc;
}

/* Applies changes o to the stored fingerprints: XOR and add when exact is false (those
 * without one stay unknown), replace when exact is true. */
static int osums_store(struct sq *s, const struct osums *o, bool exact)
{
    for (size_t i = 0; i < o->cap; i++) {
        if (!o->org[i])
            continue;
        sqlite3_stmt *q;
        if (exact) {
            q = sq_prep(s, "INSERT OR REPLACE INTO finding_sum(org_id, n, h) VALUES (?,?,?)");
            if (!q)
                return VG_EIO;
            sqlite3_bind_int64(q, 1, o->org[i]);
            sqlite3_bind_int64(q, 2, o->n[i]);
            sqlite3_bind_int64(q, 3, (sqlite3_int64)o->h[i]);
        } else {
            q = sq_prep(s, "SELECT h FROM finding_sum WHERE org_id = ?");
            if (!q)
                return VG_EIO;
            sqlite3_bind_int64(q, 1, o->org[i]);
            int step = sqlite3_step(q);
            uint64_t h = step == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 0) : 0;
            sq_done(s, q);
            if (step == SQLITE_DONE)
                continue; /* not known: stays so */
            if (step != SQLITE_ROW)
                return VG_EIO;
            q = sq_prep(s, "UPDATE finding_sum SET n = n + ?2, h = ?3 WHERE org_id = ?1");
            if (!q)
                return VG_EIO;
            sqlite3_bind_int64(q, 1, o->org[i]);
            sqlite3_bind_int64(q, 2, o->n[i]);
            sqlite3_bind_int64(q, 3, (sqlite3_int64)(h ^ o->h[i]));
        }
        if (sq_step_done(s, q))
            return VG_EIO;
    }
    return 0;
}

int sq_finding_replace(struct vg_store *st, const struct vg_store_fscope *scope,
                       const char *const *assets, size_t nassets, const struct vg_store_finding *f,
                       size_t n, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    long long *ids = calloc(nassets ? nassets : 1, sizeof *ids);
    if (!ids)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    long long gone = 0, fresh = 0;
    int rc = 0;
    /* A scope of whole organisations leaves each with exactly the findings given: their
     * fingerprints are computed from them. A scope of CVEs changes part of them: the rows
     * written and deleted are added to the stored fingerprints. */
    bool exact = !scope->keys;
    struct osums sums = {0};
    /* a full re-match rewrites millions of index entries: a larger page cache for it */
    bool big = n > 100000;
    if (big)
        sq_exec(s, "PRAGMA cache_size = -262144");
    if (sq_begin(s)) {
        free(ids);
        return sq_db_error(s, d);
    }
    if (sq_exec(s, "CREATE TEMP TABLE IF NOT EXISTS fnew(org_id INTEGER, key INTEGER, "
                   "asset_id INTEGER, PRIMARY KEY (org_id, key, asset_id)) WITHOUT ROWID") ||
        sq_exec(s, "CREATE TEMP TABLE IF NOT EXISTS fscope(key INTEGER PRIMARY KEY)") ||
        sq_exec(s, "DELETE FROM temp.fnew") || sq_exec(s, "DELETE FROM temp.fscope"))
        goto fail;
    for (size_t i = 0; scope->keys && i < scope->nkeys; i++) {
        sqlite3_stmt *q = sq_prep(s, "INSERT OR IGNORE INTO temp.fscope(key) VALUES (?)");
        if (!q)
            goto fail;
        sqlite3_bind_int64(q, 1, scope->keys[i]);
        if (sq_step_done(s, q))
            goto fail;
    }
    if (exact && scope->org && osums_add(&sums, scope->org, 0, 0, 1))
        goto nomem; /* an organisation left without findings: (0, 0) */
    for (size_t i = 0; i < n; i++) {
        if (f[i].asset >= nassets) {
            rc = vg_diag_set(d, VG_EINVAL, "", "finding %zu names no asset", i);
            sq_rollback(s);
            goto out;
        }
        if (!ids[f[i].asset] && !(ids[f[i].asset] = asset_id(s, assets[f[i].asset])))
            goto fail;
        sqlite3_stmt *q =
            sq_prep(s, "INSERT OR IGNORE INTO temp.fnew(org_id, key, asset_id) VALUES (?,?,?)");
        if (!q)
            goto fail;
        sqlite3_bind_int64(q, 1, f[i].org);
        sqlite3_bind_int64(q, 2, f[i].key);
        sqlite3_bind_int64(q, 3, ids[f[i].asset]);
        if (sq_step_done(s, q))
            goto fail;
        if (exact && sqlite3_changes(s->db) == 1 &&
            osums_add(&sums, f[i].org, ids[f[i].asset], f[i].key, 1))
            goto nomem;
    }
    /* one statement per shape of scope, so that each uses its index (an OR would scan) */
#define NOT_FOUND_AGAIN                                                                            \
    " AND NOT EXISTS (SELECT 1 FROM temp.fnew n WHERE n.org_id = finding.org_id "                  \
    "AND n.key = finding.key AND n.asset_id = finding.asset_id)"
    static const char del_keys[] = "DELETE FROM finding WHERE key IN (SELECT key FROM "
                                   "temp.fscope) AND (?1 = 0 OR org_id = ?1)" NOT_FOUND_AGAIN
                                   " RETURNING org_id, asset_id, key";
    static const char del_org[] = "DELETE FROM finding WHERE org_id = ?1" NOT_FOUND_AGAIN;
    static const char del_all[] = "DELETE FROM finding WHERE ?1 = 0" NOT_FOUND_AGAIN;
#undef NOT_FOUND_AGAIN
    sqlite3_stmt *q = sq_prep(s, scope->keys ? del_keys : scope->org ? del_org : del_all);
    if (!q)
        goto fail;
    sqlite3_bind_int64(q, 1, scope->org);
    if (exact ? exec_changes(s, q, &gone) : osums_rows(s, q, &sums, -1, &gone))
        goto fail;
    q = sq_prep(s, exact ? "INSERT OR IGNORE INTO finding(org_id, asset_id, key, first_seen) "
                           "SELECT org_id, asset_id, key, ? FROM temp.fnew"
                         : "INSERT OR IGNORE INTO finding(org_id, asset_id, key, first_seen) "
                           "SELECT org_id, asset_id, key, ? FROM temp.fnew "
                           "RETURNING org_id, asset_id, key");
    if (!q)
        goto fail;
    sq_bind_text(q, 1, now);
    if (exact ? exec_changes(s, q, &fresh) : osums_rows(s, q, &sums, 1, &fresh))
        goto fail;
    if (exact && !scope->org) { /* every organisation: those without findings have none */
        if (sq_exec(s, "DELETE FROM finding_sum") ||
            sq_exec(s, "INSERT INTO finding_sum(org_id, n, h) SELECT id, 0, 0 FROM org"))
            goto fail;
    }
    if (osums_store(s, &sums, exact))
        goto fail;
    if (sq_exec(s, "DELETE FROM temp.fnew") || sq_exec(s, "DELETE FROM temp.fscope"))
        goto fail;
    if (sq_commit(s))
        goto fail;
    if (out)
        *out = json_pack("{s:I,s:I,s:I}", "found", (json_int_t)n, "new", (json_int_t)fresh, "gone",
                         (json_int_t)gone);
    goto out;
nomem:
    rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    sq_rollback(s);
    goto out;
fail:
    rc = fail(s, d);
out:
    if (big)
        sq_exec(s, "PRAGMA cache_size = -16384");
    osums_free(&sums);
    free(ids);
    return rc;
}

int sq_finding_prune(struct vg_store *st, long long org, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "DELETE FROM finding WHERE org_id = ?1 AND asset_id NOT IN "
                                 "(SELECT a.id FROM org o, json_each(o.assets, '$.products') j, "
                                 "asset a WHERE o.id = ?1 AND a.cpe = j.value) "
                                 "RETURNING org_id, asset_id, key");
    if (!q)
        return fail(s, d);
    sqlite3_bind_int64(q, 1, org);
    struct osums sums = {0};
    long long gone;
    int rc = osums_rows(s, q, &sums, -1, &gone);
    if (!rc)
        rc = osums_store(s, &sums, false);
    osums_free(&sums);
    if (rc == VG_ENOMEM) {
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    if (rc || sq_commit(s))
        return fail(s, d);
    return 0;
}

int sq_asset_ids_each(struct vg_store *st, vg_store_asset_id_fn fn, void *ctx)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT id, cpe FROM asset ORDER BY cpe");
    return q ? each_product(s, q, fn, ctx) : VG_EIO; /* rows of (number, name) alike */
}

int sq_finding_sums_each(struct vg_store *st, long long org, vg_store_fsum_fn fn, void *ctx)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q =
        sq_prep(s, "SELECT org_id, n, h FROM finding_sum WHERE ?1 = 0 OR org_id = ?1");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, org);
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
        rc = fn(ctx, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
                (uint64_t)sqlite3_column_int64(q, 2));
    if (rc == 0 && step != SQLITE_DONE)
        rc = VG_EIO;
    sq_done(s, q);
    return rc;
}

/* The columns of a finding as lists and digests show it; tier is column 15. */
#define FINDING_SELECT                                                                             \
    "SELECT f.id, f.org_id, a.cpe, v.cve, v.cvss, v.cvss_version, v.severity, "                    \
    "k.date_added, k.due_date, k.ransomware, e.score, e.percentile, f.first_seen, "                \
    "v.published, v.description, "                                                                 \
    "CASE WHEN k.key IS NOT NULL THEN 0 WHEN e.score >= 0.1 THEN 1 ELSE 2 END AS tier "            \
    "FROM finding f JOIN asset a ON a.id = f.asset_id JOIN vuln v ON v.key = f.key "               \
    "LEFT JOIN kev k ON k.key = f.key LEFT JOIN epss e ON e.key = f.key "
#define FINDING_ORDER                                                                              \
    " ORDER BY tier, coalesce(v.cvss, -1) DESC, coalesce(e.score, -1) DESC, f.key DESC, a.cpe"

static json_t *finding_row(sqlite3_stmt *q)
{
    json_t *cvss = json_null(), *kev = json_null(), *epss = json_null();
    if (sqlite3_column_type(q, 4) != SQLITE_NULL)
        cvss = json_pack("{s:f,s:o,s:o}", "score", sqlite3_column_double(q, 4), "version",
                         sq_col_null(q, 5), "severity", sq_col_null(q, 6));
    if (sqlite3_column_type(q, 7) != SQLITE_NULL)
        kev = json_pack("{s:s,s:s,s:b}", "dateAdded", sq_col_text(q, 7), "dueDate",
                        sq_col_text(q, 8), "knownRansomwareCampaignUse", sqlite3_column_int(q, 9));
    if (sqlite3_column_type(q, 10) != SQLITE_NULL)
        epss = json_pack("{s:f,s:f}", "score", sqlite3_column_double(q, 10), "percentile",
                         sqlite3_column_double(q, 11));
    return json_pack("{s:I,s:s,s:s,s:i,s:o,s:o,s:o,s:s,s:s,s:s}", "org",
                     (json_int_t)sqlite3_column_int64(q, 1), "asset", sq_col_text(q, 2), "cve",
                     sq_col_text(q, 3), "priority", sqlite3_column_int(q, 15), "cvss", cvss, "kev",
                     kev, "epss", epss, "first_seen", sq_col_text(q, 12), "published",
                     sq_col_text(q, 13), "description", sq_col_text(q, 14));
}

int sq_finding_list(struct vg_store *st, long long org, const char *since,
                    const struct vg_page *page, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long off1;
    if (sq_cursor_read(page->cursor, &off1, d))
        return VG_EINVAL;
    long long off = off1 > 0 ? off1 - 1 : 0;
    static const char sql[] =
        FINDING_SELECT "WHERE f.org_id = ?1 AND (?2 IS NULL OR v.modified >= ?2 OR v.published >= "
                       "?2)" FINDING_ORDER " LIMIT ?3 OFFSET ?4";
    sqlite3_stmt *q = sq_prep(s, sql);
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, org);
    sq_bind_text(q, 2, since);
    sqlite3_bind_int(q, 3, page->limit + 1);
    sqlite3_bind_int64(q, 4, off);
    json_t *items = json_array();
    int step, n = 0;
    bool more = false;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == page->limit) {
            more = true;
            break;
        }
        json_array_append_new(items, finding_row(q));
        n++;
    }
    sq_done(s, q);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        json_decref(items);
        return sq_db_error(s, d);
    }
    char cur[32];
    sq_cursor_make(off + n + 1, cur);
    *out = json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     more ? json_string(cur) : json_null());
    return 0;
}

int sq_digest_take(struct vg_store *st, long long org, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "SELECT name FROM org WHERE id = ?");
    if (!q)
        return fail(s, d);
    sqlite3_bind_int64(q, 1, org);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sq_done(s, q);
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "org", "no organisation %lld", org);
    }
    json_t *name = json_string(sq_col_text(q, 0));
    sq_done(s, q);
    long long last = 0, max = 0;
    json_t *since = json_null();
    q = sq_prep(s, "SELECT last_id, at FROM digest WHERE org_id = ?");
    if (!q)
        goto fail;
    sqlite3_bind_int64(q, 1, org);
    if (sqlite3_step(q) == SQLITE_ROW) {
        last = sqlite3_column_int64(q, 0);
        json_decref(since);
        since = json_string(sq_col_text(q, 1));
    }
    sq_done(s, q);
    static const char sql[] = FINDING_SELECT "WHERE f.org_id = ?1 AND f.id > ?2" FINDING_ORDER;
    q = sq_prep(s, sql);
    if (!q)
        goto fail;
    sqlite3_bind_int64(q, 1, org);
    sqlite3_bind_int64(q, 2, last);
    json_t *items = json_array();
    max = last;
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(q, 0);
        if (id > max)
            max = id;
        json_array_append_new(items, finding_row(q));
    }
    sq_done(s, q);
    if (step != SQLITE_DONE) {
        json_decref(items);
        goto fail;
    }
    q = sq_prep(s, "INSERT OR REPLACE INTO digest(org_id, last_id, at) VALUES (?,?,?)");
    if (!q) {
        json_decref(items);
        goto fail;
    }
    sqlite3_bind_int64(q, 1, org);
    sqlite3_bind_int64(q, 2, max);
    sq_bind_text(q, 3, now);
    if (sq_step_done(s, q) || sq_commit(s)) {
        json_decref(items);
        goto fail;
    }
    *out = json_pack("{s:I,s:o,s:o,s:s,s:o}", "org", (json_int_t)org, "name", name, "since", since,
                     "until", now, "findings", items);
    return 0;
fail:
    json_decref(name);
    json_decref(since);
    return fail(s, d);
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
    if (sqlite3_step(q) != SQLITE_ROW) {
        sq_done(s, q);
        return VG_ENOENT;
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
