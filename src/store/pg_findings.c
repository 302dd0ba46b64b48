/* PostgreSQL backend: findings (replaced by scope, pruned), their per-organisation fingerprints,
 * lists and digests (store/vuln.h), the port of sqlite_findings.c and sqlite_digests.c.
 *
 * Several servers on one database: every write of findings and every digest taken holds one
 * transaction-level advisory lock (PG_FINDINGS_LOCK) until its commit. Writers of findings
 * thus run one at a time, as on SQLite: an asset name gets the next id and a fingerprint is
 * read, XORed and written without losing another's change; and a digest, which takes the
 * findings of ids above the last one it took, never reads while a write holding smaller ids
 * is still to commit (a sequence hands out ids before commit, docs/PGSCHEMA.md).
 *
 * The new findings of a scope travel in one temporary table, filled by one COPY (pg_copy.c);
 * the deletions and insertions are then two statements, as on SQLite. */
#include "store/pg_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/sort.h"
#include "util/time.h"

#define FIND_ANALYZE 20000 /* rows of fnew past which it is analysed */
#define JSON_MAX     ((size_t)1 << 30)

static int lock_findings(struct pg *p)
{
    PGresult *r = pg_run(p, "SELECT pg_advisory_xact_lock(" PG_FINDINGS_LOCK ")", NULL);
    PQclear(r);
    return r ? 0 : VG_EIO;
}

/* One finding as rows carry it; sign for changes to fingerprints. */
struct frow {
    long long org, key, asset;
    int sign;
};

static int cmp_frow(const void *a, const void *b)
{
    const struct frow *x = a, *y = b;
    if (x->org != y->org)
        return (x->org > y->org) - (x->org < y->org);
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return (x->asset > y->asset) - (x->asset < y->asset);
}

/* Fingerprint changes of rows (sorted by organisation) as JSON text [[org, n, h], ...]; with
 * also (not 0), that organisation is there even without rows (n 0, h 0). NULL: out of memory. */
static char *sums_json(const struct frow *r, size_t n, long long also)
{
    struct vg_buf b;
    vg_buf_init(&b, JSON_MAX);
    vg_buf_putc(&b, '[');
    bool first = true, also_done = also == 0;
    for (size_t i = 0; i < n;) {
        long long org = r[i].org, cnt = 0;
        uint64_t h = 0;
        for (; i < n && r[i].org == org; i++) {
            cnt += r[i].sign;
            h ^= vg_store_finding_hash(r[i].asset, r[i].key);
        }
        also_done = also_done || org == also;
        vg_buf_printf(&b, "%s[%lld,%lld,%lld]", first ? "" : ",", org, cnt, (long long)h);
        first = false;
    }
    if (!also_done)
        vg_buf_printf(&b, "%s[%lld,0,0]", first ? "" : ",", also);
    vg_buf_putc(&b, ']');
    if (b.failed) {
        vg_buf_cleanup(&b);
        return NULL;
    }
    return vg_buf_steal(&b);
}

/* Applies the fingerprint changes of rows: replaces them when exact, else adds to the stored
 * ones (XOR in SQL, in this transaction: no other writer meanwhile), those without one staying
 * unknown. 0, VG_ENOMEM or VG_EIO. */
static int sums_store(struct pg *p, struct frow *r, size_t n, long long also, bool exact)
{
    if (n)
        vg_sort(r, n, sizeof *r, cmp_frow);
    if (!n && !also)
        return 0;
    char *json = sums_json(r, n, also);
    if (!json)
        return VG_ENOMEM;
    struct pg_params pp = {0};
    pg_param_text(&pp, json);
    PGresult *res =
        exact ? pg_run(p,
                       "INSERT INTO finding_sum(org_id, n, h) SELECT (e->>0)::bigint, "
                       "(e->>1)::bigint, (e->>2)::bigint FROM json_array_elements($1::json) e "
                       "ON CONFLICT (org_id) DO UPDATE SET n = excluded.n, h = excluded.h",
                       &pp)
              : pg_run(p,
                       "UPDATE finding_sum SET n = finding_sum.n + (e->>1)::bigint, "
                       "h = finding_sum.h # (e->>2)::bigint FROM json_array_elements($1::json) e "
                       "WHERE finding_sum.org_id = (e->>0)::bigint",
                       &pp);
    free(json);
    PQclear(res);
    return res ? 0 : VG_EIO;
}

/* Appends the (org_id, asset_id, key) rows of res to *rows with sign. */
static int rows_add(const PGresult *res, int sign, struct frow **rows, size_t *n, size_t *cap)
{
    for (int i = 0; i < PQntuples(res); i++) {
        if (*n == *cap) {
            size_t c = *cap ? 2 * *cap : 256;
            struct frow *v = vg_realloc(*rows, c * sizeof *v);
            if (!v)
                return VG_ENOMEM;
            *rows = v;
            *cap = c;
        }
        (*rows)[(*n)++] = (struct frow){pg_get_int(res, i, 0), pg_get_int(res, i, 2),
                                        pg_get_int(res, i, 1), sign};
    }
    return 0;
}

/* The ids of the asset names findings use, created if needed in the order of first use (as
 * SQLite numbers them): ids[i] for assets[i]. 0, VG_ENOMEM or VG_EIO. */
static int asset_ids(struct pg *p, const char *const *assets, size_t nassets,
                     const struct vg_store_finding *f, size_t n, long long *ids)
{
    json_t *used = json_array();
    for (size_t i = 0; used && i < n; i++) {
        if (ids[f[i].asset])
            continue;
        ids[f[i].asset] = -1; /* asked for */
        if (json_array_append_new(used,
                                  json_pack("[s,I]", assets[f[i].asset], (json_int_t)f[i].asset))) {
            json_decref(used);
            used = NULL;
        }
    }
    if (!used)
        return VG_ENOMEM;
    if (!json_array_size(used)) {
        json_decref(used);
        return 0;
    }
    struct pg_params pp = {0};
    pg_param_json(&pp, used);
    json_decref(used);
    if (!pp.v[0])
        return VG_ENOMEM;
    /* only the missing names: a conflict would still take a number from the sequence */
    PGresult *r = pg_run(p,
                         "INSERT INTO asset(cpe) SELECT cpe FROM (SELECT e->>0 AS cpe, min(o) AS o "
                         "FROM json_array_elements($1::json) WITH ORDINALITY AS x(e, o) "
                         "GROUP BY 1) n WHERE NOT EXISTS (SELECT 1 FROM asset a "
                         "WHERE a.cpe = n.cpe) ORDER BY o ON CONFLICT (cpe) DO NOTHING",
                         &pp);
    PQclear(r);
    if (r)
        r = pg_run(p,
                   "SELECT a.id, (e->>1)::bigint FROM json_array_elements($1::json) e "
                   "JOIN asset a ON a.cpe = e->>0",
                   &pp);
    pg_params_free(&pp);
    if (!r)
        return VG_EIO;
    for (int i = 0; i < PQntuples(r); i++) {
        long long idx = pg_get_int(r, i, 1);
        if (idx >= 0 && (size_t)idx < nassets)
            ids[idx] = pg_get_int(r, i, 0);
    }
    PQclear(r);
    return 0;
}

/* Fills the temporary table fnew with rows[0..n) (sorted, distinct), by one COPY. */
static int fnew_fill(struct pg *p, const struct frow *rows, size_t n)
{
    struct pg_copy c;
    int rc = pg_copy_stage(p, &c,
                           "CREATE TEMP TABLE IF NOT EXISTS fnew(org_id bigint, key bigint, "
                           "asset_id bigint, PRIMARY KEY (org_id, key, asset_id))",
                           "TRUNCATE fnew", "COPY fnew(org_id, key, asset_id) FROM STDIN");
    for (size_t i = 0; !rc && i < n; i++) {
        pg_copy_int(&c, rows[i].org);
        pg_copy_int(&c, rows[i].key);
        pg_copy_int(&c, rows[i].asset);
        rc = pg_copy_row(&c);
    }
    int end = pg_copy_end(&c, NULL);
    if (rc || end)
        return rc ? rc : end;
    /* the planner knows nothing of a temporary table (autovacuum does not see it): for a large
     * one, without statistics, it would guess its joins wrong */
    return n > FIND_ANALYZE && pg_exec(p, "ANALYZE fnew") ? VG_EIO : 0;
}

#define NOT_FOUND_AGAIN                                                                            \
    " AND NOT EXISTS (SELECT 1 FROM fnew n WHERE n.org_id = finding.org_id "                       \
    "AND n.key = finding.key AND n.asset_id = finding.asset_id)"

/* The writes of finding_replace inside its transaction, rows sorted and distinct. */
static int replace_rows(struct pg *p, const struct vg_store_fscope *scope, const char *now,
                        struct frow *rows, size_t n, long long *fresh, long long *gone)
{
    bool exact = !scope->keys;
    int rc = fnew_fill(p, rows, n);
    if (rc)
        return rc;
    /* one statement per shape of scope, so that each uses its index */
    static const char del_keys[] = "DELETE FROM finding WHERE key = ANY($2::bigint[]) "
                                   "AND ($1::bigint = 0 OR org_id = $1::bigint)" NOT_FOUND_AGAIN
                                   " RETURNING org_id, asset_id, key";
    static const char del_org[] = "DELETE FROM finding WHERE org_id = $1" NOT_FOUND_AGAIN;
    static const char del_all[] = "DELETE FROM finding WHERE $1::bigint = 0" NOT_FOUND_AGAIN;
    char *keys = scope->keys ? pg_int_array(scope->keys, scope->nkeys) : NULL;
    if (scope->keys && !keys)
        return VG_ENOMEM;
    struct pg_params pp = {0};
    pg_param_int(&pp, scope->org);
    if (keys)
        pg_param_text(&pp, keys);
    PGresult *r = pg_run(p, scope->keys ? del_keys : scope->org ? del_org : del_all, &pp);
    free(keys);
    if (!r)
        return VG_EIO;
    *gone = strtoll(PQcmdTuples(r), NULL, 10);
    /* a scope of CVEs changes part of the fingerprints: the rows deleted and inserted */
    struct frow *delta = NULL;
    size_t nd = 0, cap = 0;
    rc = exact ? 0 : rows_add(r, -1, &delta, &nd, &cap);
    PQclear(r);
    struct pg_params q = {0};
    pg_param_text(&q, now);
    if (!rc) {
        r = pg_run(p,
                   exact ? "INSERT INTO finding(org_id, asset_id, key, first_seen) "
                           "SELECT org_id, asset_id, key, $1 FROM fnew n WHERE NOT EXISTS "
                           "(SELECT 1 FROM finding f WHERE f.org_id = n.org_id AND f.key = n.key "
                           "AND f.asset_id = n.asset_id) ORDER BY org_id, key, asset_id"
                         : "INSERT INTO finding(org_id, asset_id, key, first_seen) "
                           "SELECT org_id, asset_id, key, $1 FROM fnew n WHERE NOT EXISTS "
                           "(SELECT 1 FROM finding f WHERE f.org_id = n.org_id AND f.key = n.key "
                           "AND f.asset_id = n.asset_id) ORDER BY org_id, key, asset_id "
                           "RETURNING org_id, asset_id, key",
                   &q);
        rc = r ? 0 : VG_EIO;
    }
    if (!rc) {
        *fresh = strtoll(PQcmdTuples(r), NULL, 10);
        if (!exact)
            rc = rows_add(r, 1, &delta, &nd, &cap);
        PQclear(r);
    }
    /* a scope of whole organisations leaves each with exactly the findings given */
    if (!rc && exact && !scope->org &&
        (pg_exec(p, "DELETE FROM finding_sum") ||
         pg_exec(p, "INSERT INTO finding_sum(org_id, n, h) SELECT id, 0, 0 FROM org")))
        rc = VG_EIO;
    if (!rc)
        rc = exact ? sums_store(p, rows, n, scope->org, true) : sums_store(p, delta, nd, 0, false);
    free(delta);
    if (!rc && pg_exec(p, "TRUNCATE fnew"))
        rc = VG_EIO;
    return rc;
}

int pg_finding_replace(struct vg_store *st, const struct vg_store_fscope *scope,
                       const char *const *assets, size_t nassets, const struct vg_store_finding *f,
                       size_t n, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    for (size_t i = 0; i < n; i++)
        if (f[i].asset >= nassets)
            return vg_diag_set(d, VG_EINVAL, "", "finding %zu names no asset", i);
    long long *ids = vg_calloc(nassets ? nassets : 1, sizeof *ids);
    struct frow *rows = vg_malloc((n ? n : 1) * sizeof *rows);
    if (!ids || !rows) {
        free(ids);
        free(rows);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    long long fresh = 0, gone = 0;
    int rc = pg_begin(p) ? VG_EIO : lock_findings(p);
    if (!rc)
        rc = asset_ids(p, assets, nassets, f, n, ids);
    size_t m = 0;
    if (!rc) {
        for (size_t i = 0; i < n; i++)
            rows[i] = (struct frow){f[i].org, f[i].key, ids[f[i].asset], 1};
        if (n)
            vg_sort(rows, n, sizeof *rows, cmp_frow);
        for (size_t i = 0; i < n; i++) /* each finding once, as INSERT OR IGNORE keeps it */
            if (!m || cmp_frow(&rows[m - 1], &rows[i]) != 0)
                rows[m++] = rows[i];
        rc = replace_rows(p, scope, now, rows, m, &fresh, &gone);
    }
    free(ids);
    free(rows);
    if ((rc = pg_write_end(p, rc, d)))
        return rc;
    if (out)
        *out = json_pack("{s:I,s:I,s:I}", "found", (json_int_t)n, "new", (json_int_t)fresh, "gone",
                         (json_int_t)gone);
    return 0;
}

int pg_finding_prune(struct vg_store *st, long long org, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (pg_begin(p))
        return pg_error(p, d);
    int rc = lock_findings(p);
    struct frow *delta = NULL;
    size_t nd = 0, cap = 0;
    if (!rc) {
        struct pg_params pp = {0};
        pg_param_int(&pp, org);
        PGresult *r = pg_run(p,
                             "DELETE FROM finding WHERE org_id = $1 AND asset_id NOT IN "
                             "(SELECT a.id FROM org o, vg_asset_products(o.assets) j, asset a "
                             "WHERE o.id = $1 AND a.cpe = j.cpe) RETURNING org_id, asset_id, key",
                             &pp);
        rc = r ? rows_add(r, -1, &delta, &nd, &cap) : VG_EIO;
        PQclear(r);
    }
    if (!rc)
        rc = sums_store(p, delta, nd, 0, false);
    free(delta);
    return pg_write_end(p, rc, d);
}

int pg_finding_sums_each(struct vg_store *st, long long org, vg_store_fsum_fn fn, void *ctx)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, org);
    PGresult *r = pg_run(p,
                         "SELECT org_id, n, h FROM finding_sum "
                         "WHERE $1::bigint = 0 OR org_id = $1::bigint ORDER BY org_id",
                         &pp);
    if (!r)
        return VG_EIO;
    int rc = 0;
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = fn(ctx, pg_get_int(r, i, 0), pg_get_int(r, i, 1), (uint64_t)pg_get_int(r, i, 2));
    PQclear(r);
    return rc;
}

/* ---- lists and digests (sqlite_digests.c) ---- */

#define FINDING_SELECT                                                                             \
    "SELECT f.id, f.org_id, a.cpe, v.cve, v.cvss, v.cvss_version, v.severity, "                    \
    "k.date_added, k.due_date, k.ransomware, e.score, e.percentile, f.first_seen, "                \
    "v.published, v.description, "                                                                 \
    "CASE WHEN k.key IS NOT NULL THEN 0 WHEN e.score >= 0.1 THEN 1 ELSE 2 END AS tier "            \
    "FROM finding f JOIN asset a ON a.id = f.asset_id JOIN vuln v ON v.key = f.key "               \
    "LEFT JOIN kev k ON k.key = f.key LEFT JOIN epss e ON e.key = f.key "
#define FINDING_ORDER                                                                              \
    " ORDER BY tier, coalesce(v.cvss, -1) DESC, coalesce(e.score, -1) DESC, f.key DESC, a.cpe"

static double get_double(const PGresult *r, int i, int c)
{
    return strtod(pg_get_text(r, i, c), NULL);
}

static json_t *finding_row(const PGresult *r, int i)
{
    json_t *cvss = json_null(), *kev = json_null(), *epss = json_null();
    if (!PQgetisnull(r, i, 4))
        cvss = json_pack("{s:f,s:o,s:o}", "score", get_double(r, i, 4), "version",
                         pg_get_null(r, i, 5), "severity", pg_get_null(r, i, 6));
    if (!PQgetisnull(r, i, 7))
        kev =
            json_pack("{s:s,s:s,s:b}", "dateAdded", pg_get_text(r, i, 7), "dueDate",
                      pg_get_text(r, i, 8), "knownRansomwareCampaignUse", pg_get_int(r, i, 9) != 0);
    if (!PQgetisnull(r, i, 10))
        epss = json_pack("{s:f,s:f}", "score", get_double(r, i, 10), "percentile",
                         get_double(r, i, 11));
    return json_pack("{s:I,s:s,s:s,s:i,s:o,s:o,s:o,s:s,s:s,s:s}", "org",
                     (json_int_t)pg_get_int(r, i, 1), "asset", pg_get_text(r, i, 2), "cve",
                     pg_get_text(r, i, 3), "priority", (int)pg_get_int(r, i, 15), "cvss", cvss,
                     "kev", kev, "epss", epss, "first_seen", pg_get_text(r, i, 12), "published",
                     pg_get_text(r, i, 13), "description", pg_get_text(r, i, 14));
}

int pg_finding_list(struct vg_store *st, long long org, const char *since,
                    const struct vg_page *page, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long off1;
    if (sq_cursor_read(page->cursor, &off1, d))
        return VG_EINVAL;
    long long off = off1 > 0 ? off1 - 1 : 0;
    struct pg_params pp = {0};
    pg_param_int(&pp, org);
    pg_param_text(&pp, since);
    pg_param_int(&pp, page->limit + 1);
    pg_param_int(&pp, off);
    PGresult *r = pg_run(p,
                         FINDING_SELECT "WHERE f.org_id = $1 AND ($2::text IS NULL OR "
                                        "v.modified >= $2 OR v.published >= $2)" FINDING_ORDER
                                        " LIMIT $3 OFFSET $4",
                         &pp);
    if (!r)
        return pg_error(p, d);
    int rows = PQntuples(r), n = rows < page->limit ? rows : page->limit;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, finding_row(r, i));
    PQclear(r);
    char cur[32];
    sq_cursor_make(off + n + 1, cur);
    *out = json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     rows > page->limit ? json_string(cur) : json_null());
    return 0;
}

int pg_digest_take(struct vg_store *st, long long org, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    if (lock_findings(p))
        return pg_fail(p, d);
    struct pg_params pp = {0};
    pg_param_int(&pp, org);
    PGresult *r = pg_run(p,
                         "SELECT o.name, g.last_id, g.at FROM org o "
                         "LEFT JOIN digest g ON g.org_id = o.id WHERE o.id = $1",
                         &pp);
    if (!r)
        return pg_fail(p, d);
    if (PQntuples(r) != 1) {
        PQclear(r);
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "org", "no organisation %lld", org);
    }
    json_t *name = json_string(pg_get_text(r, 0, 0));
    json_t *since = pg_get_null(r, 0, 2);
    long long last = pg_get_int(r, 0, 1);
    PQclear(r);
    struct pg_params q = {0};
    pg_param_int(&q, org);
    pg_param_int(&q, last);
    r = pg_run(p, FINDING_SELECT "WHERE f.org_id = $1 AND f.id > $2" FINDING_ORDER, &q);
    json_t *items = json_array();
    long long max = last;
    for (int i = 0; r && i < PQntuples(r); i++) {
        long long id = pg_get_int(r, i, 0);
        if (id > max)
            max = id;
        json_array_append_new(items, finding_row(r, i));
    }
    bool ok = r != NULL;
    PQclear(r);
    if (ok) {
        struct pg_params w = {0};
        pg_param_int(&w, org);
        pg_param_int(&w, max);
        pg_param_text(&w, now);
        r = pg_run(
            p,
            "INSERT INTO digest(org_id, last_id, at) VALUES ($1, $2, $3) "
            "ON CONFLICT (org_id) DO UPDATE SET last_id = excluded.last_id, at = excluded.at",
            &w);
        ok = r != NULL;
        PQclear(r);
    }
    if (!ok || pg_commit(p)) {
        json_decref(items);
        json_decref(name);
        json_decref(since);
        return pg_fail(p, d);
    }
    *out = json_pack("{s:I,s:o,s:o,s:s,s:o}", "org", (json_int_t)org, "name", name, "since", since,
                     "until", now, "findings", items);
    return 0;
}
