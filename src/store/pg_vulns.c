/* PostgreSQL backend: vulnerability records, KEV, EPSS, the products records name and the
 * assets of organisations (store/vuln.h), the port of sqlite_vulns.c. Findings and digests are
 * in pg_findings.c.
 *
 * Round trips are what costs here (SQLite's are function calls): a record is one upsert that
 * says whether it added, replaced or kept the held one, then its compact form, summary and
 * products; KEV and EPSS go as multi-row upserts of up to PG_ROWS rows, their values in one
 * JSON parameter; the full scan of records is read page by page (keyset on key, source) so that
 * the client never holds the whole table. */
#include "store/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/sort.h"
#include "util/time.h"

#define PG_ROWS      5000 /* rows of one multi-row write */
#define PG_SCAN_PAGE 2000 /* records read per page of a full scan */
#define PG_COPY_MIN  32   /* records of a vuln_put from which they go by COPY */

/* ---- integer lists as parameters ---- */

char *pg_int_array(const long long *v, size_t n)
{
    char *s = vg_malloc(n * 21 + 3);
    if (!s)
        return NULL;
    size_t o = 0;
    s[o++] = '{';
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, 22, i ? ",%lld" : "%lld", v[i]);
    s[o++] = '}';
    s[o] = '\0';
    return s;
}

/* ---- records ---- */

/* v[0..n) and then also (when not NULL) as a JSON array of strings; NULL: out of memory. */
static json_t *strings_json(const char *const *v, size_t n, const char *also)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i <= n; i++) {
        const char *e = i < n ? v[i] : also;
        if (e && json_array_append_new(a, json_string(e))) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

static void param_score(struct pg_params *pp, double v, char buf[32])
{
    if (v < 0) {
        pg_param_text(pp, NULL);
        return;
    }
    snprintf(buf, 32, "%.17g", v);
    pg_param_text(pp, buf);
}

/* Stores one record inside the caller's write; *res 0 added, 1 updated, 2 unchanged. 0 or
 * VG_EIO / VG_ENOMEM (failure kept for pg_error). */
static int put_record(struct pg *p, const struct vg_store_vrec *v, const char *now, int *res)
{
    char score[32];
    char *json = vg_strndup(v->json, v->json_len);
    if (!json)
        return VG_ENOMEM;
    struct pg_params pp = {0};
    pg_param_int(&pp, v->key);
    pg_param_text(&pp, v->source);
    pg_param_text(&pp, v->modified ? v->modified : "");
    pg_param_text(&pp, v->published ? v->published : "");
    param_score(&pp, v->cvss, score);
    pg_param_text(&pp, v->cvss_version);
    pg_param_text(&pp, v->severity);
    pg_param_text(&pp, v->description ? v->description : "");
    pg_param_text(&pp, json);
    pg_param_text(&pp, now);
    /* replaces the held record only when this one is later (text order, as strcmp); no row
     * back: unchanged; xmax 0: a new row */
    PGresult *r = pg_run(p,
                         "INSERT INTO vuln_record AS h(key, source, modified, published, cvss, "
                         "cvss_version, severity, description, json, imported) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                         "ON CONFLICT (key, source) DO UPDATE SET modified = excluded.modified, "
                         "published = excluded.published, cvss = excluded.cvss, "
                         "cvss_version = excluded.cvss_version, severity = excluded.severity, "
                         "description = excluded.description, json = excluded.json, "
                         "imported = excluded.imported WHERE excluded.modified > h.modified "
                         "RETURNING (xmax = 0)::int",
                         &pp);
    free(json);
    if (!r)
        return VG_EIO;
    int rows = PQntuples(r);
    *res = rows == 0 ? 2 : pg_get_int(r, 0, 0) ? 0 : 1;
    PQclear(r);
    if (rows == 0)
        return 0;
    /* then in one statement: its compact form, or none (a stale one would be read instead of
     * the new JSON); the products it names; the summary, which follows the preferred record
     * (one with a score, NVD's first) as the statement above left them */
    json_t *names = strings_json(v->products, v->nproducts, NULL);
    if (!names)
        return VG_ENOMEM;
    struct pg_params q = {0};
    pg_param_int(&q, v->key);
    pg_param_text(&q, v->source);
    if (v->compact)
        pg_param_bytes(&q, v->compact, (int)v->compact_len);
    else
        pg_param_text(&q, NULL);
    pg_param_json(&q, names);
    pg_param_text(&q, v->cve);
    json_decref(names);
    r = pg_run(p,
               "WITH c AS (INSERT INTO vuln_compact(key, source, data) "
               "SELECT $1, $2, $3 WHERE $3::bytea IS NOT NULL "
               "ON CONFLICT (key, source) DO UPDATE SET data = excluded.data), "
               "x AS (DELETE FROM vuln_compact WHERE $3::bytea IS NULL AND key = $1 "
               "AND source = $2), "
               "p AS (INSERT INTO vuln_product(product, key) "
               "SELECT DISTINCT e, $1::bigint FROM json_array_elements_text($4::json) e "
               "ON CONFLICT DO NOTHING) "
               "INSERT INTO vuln(key, cve, published, modified, cvss, cvss_version, severity, "
               "description) SELECT key, $5, published, modified, cvss, cvss_version, severity, "
               "description FROM vuln_record WHERE key = $1 "
               "ORDER BY cvss IS NULL, source = 'cve5' LIMIT 1 "
               "ON CONFLICT (key) DO UPDATE SET cve = excluded.cve, "
               "published = excluded.published, modified = excluded.modified, "
               "cvss = excluded.cvss, cvss_version = excluded.cvss_version, "
               "severity = excluded.severity, description = excluded.description",
               &q);
    pg_params_free(&q);
    if (!r)
        return VG_EIO;
    PQclear(r);
    return 0;
}

static int cmp_ksrc(const void *a, const void *b)
{
    const struct vg_store_vrec *const *x = a, *const *y = b;
    if ((*x)->key != (*y)->key)
        return ((*x)->key > (*y)->key) - ((*x)->key < (*y)->key);
    return strcmp((*x)->source, (*y)->source);
}

/* Whether v[0..n) names each (key, source) once: 1 yes, 0 no, -1 out of memory. */
static int distinct_records(const struct vg_store_vrec *v, size_t n)
{
    const struct vg_store_vrec **s = vg_malloc(n * sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < n; i++)
        s[i] = &v[i];
    vg_sort(s, n, sizeof *s, cmp_ksrc);
    int ok = 1;
    for (size_t i = 1; ok && i < n; i++)
        ok = cmp_ksrc(&s[i - 1], &s[i]) != 0;
    free(s);
    return ok;
}

/* Stores v[0..n) (each key and source once) inside the caller's write as put_record does one
 * after the other: the records go by one COPY into the temporary table vstage, then one upsert
 * says which were added or replaced (result[i] 0 or 1; 2 for the others), and one statement
 * writes their compact forms, products and summaries. 0 or VG_EIO / VG_ENOMEM. */
static int put_copied(struct pg *p, const struct vg_store_vrec *v, size_t n, const char *now,
                      int *result)
{
    struct pg_copy c;
    int rc = pg_copy_stage(p, &c,
                           "CREATE TEMP TABLE IF NOT EXISTS vstage(ord bigint, key bigint, "
                           "source text COLLATE \"C\", modified text COLLATE \"C\", "
                           "published text COLLATE \"C\", cvss double precision, "
                           "cvss_version text COLLATE \"C\", severity text COLLATE \"C\", "
                           "description text COLLATE \"C\", json text COLLATE \"C\", "
                           "compact bytea, products json, cve text COLLATE \"C\", res int)",
                           "TRUNCATE vstage",
                           "COPY vstage(ord, key, source, modified, published, cvss, "
                           "cvss_version, severity, description, json, compact, products, cve) "
                           "FROM STDIN");
    struct vg_buf names;
    vg_buf_init(&names, (size_t)1 << 30);
    for (size_t i = 0; !rc && i < n; i++) {
        char score[32];
        snprintf(score, sizeof score, "%.17g", v[i].cvss);
        vg_buf_reset(&names);
        vg_buf_putc(&names, '[');
        for (size_t k = 0; k < v[i].nproducts; k++) {
            if (k)
                vg_buf_putc(&names, ',');
            const char *e = v[i].products[k];
            vg_buf_put_json(&names, (struct vg_str){e, strlen(e)});
        }
        vg_buf_putc(&names, ']');
        pg_copy_int(&c, (long long)i);
        pg_copy_int(&c, v[i].key);
        pg_copy_text(&c, v[i].source);
        pg_copy_text(&c, v[i].modified ? v[i].modified : "");
        pg_copy_text(&c, v[i].published ? v[i].published : "");
        pg_copy_text(&c, v[i].cvss < 0 ? NULL : score);
        pg_copy_text(&c, v[i].cvss_version);
        pg_copy_text(&c, v[i].severity);
        pg_copy_text(&c, v[i].description ? v[i].description : "");
        pg_copy_textn(&c, v[i].json, v[i].json_len);
        pg_copy_bytes(&c, v[i].compact, v[i].compact_len);
        pg_copy_text(&c, names.failed ? NULL : names.data);
        pg_copy_text(&c, v[i].cve);
        rc = names.failed ? VG_ENOMEM : pg_copy_row(&c);
    }
    vg_buf_cleanup(&names);
    int end = pg_copy_end(&c, NULL);
    if (rc || end)
        return rc ? rc : end;
    struct pg_params pp = {0};
    pg_param_text(&pp, now);
    /* in input order, as one after the other: the ids the records take are the same */
    PGresult *r = pg_run(p,
                         "WITH u AS (INSERT INTO vuln_record AS h(key, source, modified, "
                         "published, cvss, cvss_version, severity, description, json, imported) "
                         "SELECT key, source, modified, published, cvss, cvss_version, severity, "
                         "description, json, $1 FROM vstage ORDER BY ord "
                         "ON CONFLICT (key, source) DO UPDATE SET modified = excluded.modified, "
                         "published = excluded.published, cvss = excluded.cvss, "
                         "cvss_version = excluded.cvss_version, severity = excluded.severity, "
                         "description = excluded.description, json = excluded.json, "
                         "imported = excluded.imported WHERE excluded.modified > h.modified "
                         "RETURNING h.key, h.source, (xmax = 0)::int AS res) "
                         "UPDATE vstage s SET res = u.res FROM u "
                         "WHERE s.key = u.key AND s.source = u.source RETURNING s.ord, s.res",
                         &pp);
    if (!r)
        return VG_EIO;
    int changed = PQntuples(r);
    for (size_t i = 0; result && i < n; i++)
        result[i] = 2;
    for (int i = 0; result && i < changed; i++) {
        long long ord = pg_get_int(r, i, 0);
        if (ord >= 0 && (size_t)ord < n)
            result[ord] = pg_get_int(r, i, 1) ? 0 : 1;
    }
    PQclear(r);
    if (!changed)
        return 0;
    /* the rest of put_record for those added or replaced: compact forms (kept or dropped),
     * products, and the summary of each key, after all its records */
    r = pg_run(p,
               "WITH c AS (INSERT INTO vuln_compact(key, source, data) "
               "SELECT key, source, compact FROM vstage WHERE res IS NOT NULL "
               "AND compact IS NOT NULL ON CONFLICT (key, source) DO UPDATE SET data = "
               "excluded.data), "
               "x AS (DELETE FROM vuln_compact d USING vstage s WHERE s.res IS NOT NULL "
               "AND s.compact IS NULL AND d.key = s.key AND d.source = s.source), "
               "p AS (INSERT INTO vuln_product(product, key) SELECT DISTINCT e, s.key "
               "FROM vstage s, json_array_elements_text(s.products) e WHERE s.res IS NOT NULL "
               "ON CONFLICT DO NOTHING) "
               "INSERT INTO vuln(key, cve, published, modified, cvss, cvss_version, severity, "
               "description) SELECT DISTINCT ON (r.key) r.key, k.cve, r.published, r.modified, "
               "r.cvss, r.cvss_version, r.severity, r.description FROM (SELECT DISTINCT ON (key) "
               "key, cve FROM vstage WHERE res IS NOT NULL ORDER BY key, ord DESC) k "
               "JOIN vuln_record r ON r.key = k.key "
               "ORDER BY r.key, r.cvss IS NULL, r.source = 'cve5' "
               "ON CONFLICT (key) DO UPDATE SET cve = excluded.cve, "
               "published = excluded.published, modified = excluded.modified, "
               "cvss = excluded.cvss, cvss_version = excluded.cvss_version, "
               "severity = excluded.severity, description = excluded.description",
               NULL);
    if (!r)
        return VG_EIO;
    PQclear(r);
    return 0;
}

static int pg_vuln_put(struct vg_store *st, const struct vg_store_vrec *v, size_t n, int *result,
                       struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    /* each record checked by vg_store_vuln_put */
    /* a large set whose records are distinct goes by COPY; a record repeated in it must see
     * the one before it, as one after the other does */
    int distinct = n >= PG_COPY_MIN ? distinct_records(v, n) : 0;
    if (distinct < 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (pg_begin(p))
        return pg_error(p, d);
    int rc = 0;
    if (distinct)
        rc = put_copied(p, v, n, now, result);
    for (size_t i = 0; !distinct && !rc && i < n; i++) {
        int res = 2;
        rc = put_record(p, &v[i], now, &res);
        if (!rc && result)
            result[i] = res;
    }
    return pg_write_end(p, rc, d);
}

/* Runs sql with rows (a JSON array, dumped as the parameter $1) inside the open write. */
static int put_rows(struct pg *p, const char *sql, json_t *rows)
{
    struct pg_params pp = {0};
    pg_param_json(&pp, rows);
    if (!pp.v[0])
        return VG_ENOMEM;
    PGresult *r = pg_run(p, sql, &pp);
    pg_params_free(&pp);
    if (!r)
        return VG_EIO;
    PQclear(r);
    return 0;
}

int pg_write_end(struct pg *p, int rc, struct vg_diag *d)
{
    if (rc == VG_ENOMEM) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    if (rc || pg_commit(p))
        return pg_fail(p, d);
    return 0;
}

/* the last value of a key within one statement wins (ON CONFLICT may not touch a row twice) */
static const char KEV_SQL[] =
    "INSERT INTO kev(key, date_added, due_date, ransomware, vendor, product) "
    "SELECT DISTINCT ON (key) (e->>0)::bigint AS key, e->>1, e->>2, (e->>3)::bigint, e->>4, "
    "e->>5 FROM json_array_elements($1::json) WITH ORDINALITY AS x(e, o) ORDER BY key, o DESC "
    "ON CONFLICT (key) DO UPDATE SET date_added = excluded.date_added, "
    "due_date = excluded.due_date, ransomware = excluded.ransomware, vendor = excluded.vendor, "
    "product = excluded.product";

static json_t *kev_json(const void *items, size_t j)
{
    const struct vg_store_kev *k = (const struct vg_store_kev *)items + j;
    return json_pack("[I,s,s,i,s,s]", (json_int_t)k->key, k->date_added ? k->date_added : "",
                     k->due_date ? k->due_date : "", k->ransomware ? 1 : 0,
                     k->vendor ? k->vendor : "", k->product ? k->product : "");
}

/* Writes items[0..n) with sql, PG_ROWS at a time (row(items, j): item j as a JSON array)
 * inside the open write. 0, VG_ENOMEM or VG_EIO. */
static int put_chunks(struct pg *p, const char *sql, const void *items, size_t n,
                      json_t *(*row)(const void *items, size_t j))
{
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i += PG_ROWS) {
        json_t *rows = json_array();
        for (size_t j = i; rows && j < n && j < i + PG_ROWS; j++)
            if (json_array_append_new(rows, row(items, j))) {
                json_decref(rows);
                rows = NULL;
            }
        rc = rows ? put_rows(p, sql, rows) : VG_ENOMEM;
        json_decref(rows);
    }
    return rc;
}

static int pg_kev_put(struct vg_store *st, const struct vg_store_kev *k, size_t n,
                      struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (pg_begin(p))
        return pg_error(p, d);
    return pg_write_end(p, put_chunks(p, KEV_SQL, k, n, kev_json), d);
}

static const char EPSS_SQL[] =
    "INSERT INTO epss(key, score, percentile) "
    "SELECT DISTINCT ON (key) (e->>0)::bigint AS key, (e->>1)::double precision, "
    "(e->>2)::double precision FROM json_array_elements($1::json) WITH ORDINALITY AS x(e, o) "
    "ORDER BY key, o DESC "
    "ON CONFLICT (key) DO UPDATE SET score = excluded.score, percentile = excluded.percentile";

static int set_meta(struct pg *p, const char *name, const char *value)
{
    if (!value || !value[0])
        return 0;
    struct pg_params pp = {0};
    pg_param_text(&pp, name);
    pg_param_text(&pp, value);
    PGresult *r = pg_run(p,
                         "INSERT INTO vuln_meta(name, value) VALUES ($1, $2) "
                         "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                         &pp);
    PQclear(r);
    return r ? 0 : VG_EIO;
}

static json_t *epss_json(const void *items, size_t j)
{
    const struct vg_store_epss *e = (const struct vg_store_epss *)items + j;
    return json_pack("[I,f,f]", (json_int_t)e->key, e->score, e->percentile);
}

static int pg_epss_put(struct vg_store *st, const struct vg_store_epss *e, size_t n,
                       const char *model, const char *date, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (pg_begin(p))
        return pg_error(p, d);
    int rc = put_chunks(p, EPSS_SQL, e, n, epss_json);
    if (!rc && (set_meta(p, "epss_model", model) || set_meta(p, "epss_date", date)))
        rc = VG_EIO;
    return pg_write_end(p, rc, d);
}

/* ---- reading records ---- */

/* Calls fn for row i of r, whose columns are source, compact data (bytea, NULL if none),
 * JSON. */
static int record_call(const PGresult *r, int i, vg_store_vrec_fn fn, void *ctx)
{
    if (PQgetisnull(r, i, 1)) {
        const char *json = pg_get_text(r, i, 2);
        return fn(ctx, pg_get_text(r, i, 0), json, strlen(json), false);
    }
    size_t len = 0;
    unsigned char *data = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 1), &len);
    if (!data)
        return VG_ENOMEM;
    int rc = fn(ctx, pg_get_text(r, i, 0), data, len, true);
    PQfreemem(data);
    return rc;
}

static int kev_call(const PGresult *r, int i, vg_store_kev_fn kfn, void *ctx)
{
    struct vg_store_kev k = {pg_get_int(r, i, 0),      pg_get_text(r, i, 1), pg_get_text(r, i, 2),
                             pg_get_int(r, i, 3) != 0, pg_get_text(r, i, 4), pg_get_text(r, i, 5)};
    return kfn(ctx, &k);
}

static int epss_call(const PGresult *r, int i, vg_store_epss_fn efn, void *ctx)
{
    struct vg_store_epss e = {pg_get_int(r, i, 0), strtod(pg_get_text(r, i, 1), NULL),
                              strtod(pg_get_text(r, i, 2), NULL)};
    return efn(ctx, &e);
}

/* Every record: the compact forms page by page, then (only if some records lack one, imported
 * before the SQLite schema 4 and copied) the JSON of those. */
static int each_record(struct pg *p, vg_store_vrec_fn fn, void *ctx)
{
    long long key = -1, seen = 0;
    char source[8] = "";
    for (;;) {
        struct pg_params pp = {0};
        pg_param_int(&pp, key);
        pg_param_text(&pp, source);
        pg_param_int(&pp, PG_SCAN_PAGE);
        PGresult *r = pg_run(p,
                             "SELECT source, data, NULL, key FROM vuln_compact "
                             "WHERE (key, source) > ($1::bigint, $2::text) "
                             "ORDER BY key, source LIMIT $3",
                             &pp);
        if (!r)
            return VG_EIO;
        int rows = PQntuples(r), rc = 0;
        for (int i = 0; !rc && i < rows; i++)
            rc = record_call(r, i, fn, ctx);
        if (rows) {
            key = pg_get_int(r, rows - 1, 3);
            snprintf(source, sizeof source, "%s", pg_get_text(r, rows - 1, 0));
        }
        PQclear(r);
        seen += rows;
        if (rc)
            return rc;
        if (rows < PG_SCAN_PAGE)
            break;
    }
    PGresult *r = pg_run(p, "SELECT count(*) FROM vuln_record", NULL);
    if (!r)
        return VG_EIO;
    long long records = pg_get_int(r, 0, 0);
    PQclear(r);
    if (records <= seen)
        return 0;
    r = pg_run(p,
               "SELECT r.source, NULL, r.json FROM vuln_record r WHERE NOT EXISTS (SELECT 1 "
               "FROM vuln_compact c WHERE c.key = r.key AND c.source = r.source) "
               "ORDER BY r.key, r.source",
               NULL);
    if (!r)
        return VG_EIO;
    int rc = 0;
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = record_call(r, i, fn, ctx);
    PQclear(r);
    return rc;
}

/* Calls the callback of `what` (0 records, 1 KEV, 2 EPSS) for each row of r. */
static int each_call(const PGresult *r, int what, vg_store_vrec_fn fn, vg_store_kev_fn kfn,
                     vg_store_epss_fn efn, void *ctx)
{
    int rc = 0;
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = what == 0   ? record_call(r, i, fn, ctx)
             : what == 1 ? kev_call(r, i, kfn, ctx)
                         : epss_call(r, i, efn, ctx);
    return rc;
}

static int pg_vuln_each(struct vg_store *st, const long long *keys, size_t nkeys,
                        vg_store_vrec_fn fn, vg_store_kev_fn kfn, vg_store_epss_fn efn, void *ctx)
{
    struct pg *p = pg_of(st);
    static const char *const all[] = {
        NULL,
        "SELECT key, date_added, due_date, ransomware, vendor, product FROM kev ORDER BY key",
        "SELECT key, score, percentile FROM epss ORDER BY key",
    };
    /* the keys in the order given, each as often as given (SQLite asks once per key) */
    static const char *const some[] = {
        "SELECT r.source, c.data, r.json FROM unnest($1::bigint[]) WITH ORDINALITY AS k(key, o) "
        "JOIN vuln_record r ON r.key = k.key "
        "LEFT JOIN vuln_compact c ON c.key = r.key AND c.source = r.source "
        "ORDER BY k.o, r.source",
        "SELECT v.key, date_added, due_date, ransomware, vendor, product "
        "FROM unnest($1::bigint[]) WITH ORDINALITY AS k(key, o) JOIN kev v ON v.key = k.key "
        "ORDER BY k.o",
        "SELECT v.key, score, percentile "
        "FROM unnest($1::bigint[]) WITH ORDINALITY AS k(key, o) JOIN epss v ON v.key = k.key "
        "ORDER BY k.o",
    };
    for (int what = 0; what < 3; what++) {
        if ((what == 0 && !fn) || (what == 1 && !kfn) || (what == 2 && !efn))
            continue;
        int rc = 0;
        if (!keys) {
            if (what == 0) {
                rc = each_record(p, fn, ctx);
            } else {
                PGresult *r = pg_run(p, all[what], NULL);
                if (!r)
                    return VG_EIO;
                rc = each_call(r, what, fn, kfn, efn, ctx);
                PQclear(r);
            }
            if (rc)
                return rc;
            continue;
        }
        for (size_t i = 0; !rc && i < nkeys; i += PG_ROWS) {
            char *arr = pg_int_array(keys + i, nkeys - i < PG_ROWS ? nkeys - i : PG_ROWS);
            if (!arr)
                return VG_ENOMEM;
            struct pg_params pp = {0};
            pg_param_text(&pp, arr);
            PGresult *r = pg_run(p, some[what], &pp);
            free(arr);
            if (!r)
                return VG_EIO;
            rc = each_call(r, what, fn, kfn, efn, ctx);
            PQclear(r);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int pg_vuln_keys_for_products(struct vg_store *st, const char *const *products, size_t n,
                                     vg_store_key_fn fn, void *ctx)
{
    struct pg *p = pg_of(st);
    for (size_t i = 0; i < n; i++) {
        struct pg_params pp = {0};
        pg_param_text(&pp, products[i]);
        PGresult *r =
            pg_run(p, "SELECT key FROM vuln_product WHERE product = $1 ORDER BY key", &pp);
        if (!r)
            return VG_EIO;
        int rc = 0;
        for (int j = 0; !rc && j < PQntuples(r); j++)
            rc = fn(ctx, pg_get_int(r, j, 0));
        PQclear(r);
        if (rc)
            return rc;
    }
    return 0;
}

/* Calls fn(org, cpe) for each row of r (columns org_id, cpe; or id, cpe). */
static int each_product(PGresult *r, vg_store_asset_fn fn, void *ctx)
{
    int rc = 0;
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = fn(ctx, pg_get_int(r, i, 0), pg_get_text(r, i, 1));
    PQclear(r);
    return rc;
}

static int pg_vuln_assets_each(struct vg_store *st, long long org, vg_store_asset_fn fn, void *ctx)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, org);
    /* org_product.id stands for SQLite's rowid: the order of each organisation's assets */
    PGresult *r = pg_run(p,
                         "SELECT org_id, cpe FROM org_product "
                         "WHERE $1::bigint = 0 OR org_id = $1::bigint ORDER BY org_id, id",
                         &pp);
    return r ? each_product(r, fn, ctx) : VG_EIO;
}

static int pg_vuln_products_for_names(struct vg_store *st, const char *const *names, size_t n,
                                      bool whole_orgs, vg_store_asset_fn fn, void *ctx)
{
    struct pg *p = pg_of(st);
    if (!whole_orgs) {
        for (size_t i = 0; i <= n; i++) { /* the last round: products without a name key */
            struct pg_params pp = {0};
            pg_param_text(&pp, i < n ? names[i] : "");
            PGresult *r = pg_run(
                p, "SELECT org_id, cpe FROM org_product WHERE name_key = $1 ORDER BY org_id, id",
                &pp);
            int rc = r ? each_product(r, fn, ctx) : VG_EIO;
            if (rc)
                return rc;
        }
        return 0;
    }
    /* the organisations having one of the names (or a product without one), in id order,
     * with all their products */
    json_t *arr = strings_json(names, n, "");
    if (!arr)
        return VG_ENOMEM;
    struct pg_params pp = {0};
    pg_param_json(&pp, arr);
    json_decref(arr);
    PGresult *r = pg_run(p,
                         "SELECT org_id, cpe FROM org_product WHERE org_id IN "
                         "(SELECT org_id FROM org_product WHERE name_key IN "
                         "(SELECT json_array_elements_text($1::json))) ORDER BY org_id, id",
                         &pp);
    pg_params_free(&pp);
    return r ? each_product(r, fn, ctx) : VG_EIO;
}

static int pg_asset_ids_each(struct vg_store *st, vg_store_asset_id_fn fn, void *ctx)
{
    struct pg *p = pg_of(st);
    PGresult *r = pg_run(p, "SELECT id, cpe FROM asset ORDER BY cpe", NULL);
    return r ? each_product(r, fn, ctx) : VG_EIO; /* rows of (number, name) alike */
}

static int pg_vuln_get(struct vg_store *st, const char *cve, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, cve);
    PGresult *r = pg_run(p,
                         "SELECT v.key, v.published, v.modified, v.cvss, v.cvss_version, "
                         "v.severity, v.description, k.date_added, k.due_date, "
                         "k.ransomware, k.vendor, k.product, e.score, e.percentile "
                         "FROM vuln v LEFT JOIN kev k ON k.key = v.key "
                         "LEFT JOIN epss e ON e.key = v.key WHERE v.cve = $1",
                         &pp);
    if (!r)
        return VG_EIO;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return VG_ENOENT;
    }
    long long key = pg_get_int(r, 0, 0);
    json_t *cvss = json_null(), *kev = json_null(), *epss = json_null();
    if (!PQgetisnull(r, 0, 3))
        cvss = json_pack("{s:f,s:o,s:o}", "score", strtod(pg_get_text(r, 0, 3), NULL), "version",
                         pg_get_null(r, 0, 4), "severity", pg_get_null(r, 0, 5));
    if (!PQgetisnull(r, 0, 7))
        kev =
            json_pack("{s:s,s:s,s:b,s:s,s:s}", "dateAdded", pg_get_text(r, 0, 7), "dueDate",
                      pg_get_text(r, 0, 8), "knownRansomwareCampaignUse", pg_get_int(r, 0, 9) != 0,
                      "vendorProject", pg_get_text(r, 0, 10), "product", pg_get_text(r, 0, 11));
    if (!PQgetisnull(r, 0, 12))
        epss = json_pack("{s:f,s:f}", "score", strtod(pg_get_text(r, 0, 12), NULL), "percentile",
                         strtod(pg_get_text(r, 0, 13), NULL));
    json_t *v = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "cve", cve, "published",
                          pg_get_text(r, 0, 1), "modified", pg_get_text(r, 0, 2), "description",
                          pg_get_text(r, 0, 6), "cvss", cvss, "kev", kev, "epss", epss);
    PQclear(r);
    json_t *records = json_array(), *affected = json_array();
    struct pg_params kp = {0};
    pg_param_int(&kp, key);
    r = pg_run(p,
               "SELECT source, modified, json FROM vuln_record WHERE key = $1 "
               "ORDER BY source DESC",
               &kp);
    for (int i = 0; r && i < PQntuples(r); i++)
        json_array_append_new(records,
                              json_pack("{s:s,s:s,s:o}", "source", pg_get_text(r, i, 0), "modified",
                                        pg_get_text(r, i, 1), "record", pg_get_json(r, i, 2)));
    PQclear(r);
    r = pg_run(p,
               "SELECT o.id, o.name, a.cpe FROM finding f JOIN org o ON o.id = f.org_id "
               "JOIN asset a ON a.id = f.asset_id WHERE f.key = $1 ORDER BY o.id, a.cpe",
               &kp);
    json_t *cur = NULL;
    long long cur_id = 0;
    for (int i = 0; r && i < PQntuples(r); i++) {
        long long id = pg_get_int(r, i, 0);
        if (!cur || id != cur_id) {
            cur = json_pack("{s:I,s:s,s:[]}", "org", (json_int_t)id, "name", pg_get_text(r, i, 1),
                            "assets");
            json_array_append_new(affected, cur);
            cur_id = id;
        }
        json_array_append_new(json_object_get(cur, "assets"), json_string(pg_get_text(r, i, 2)));
    }
    PQclear(r);
    json_object_set_new(v, "records", records);
    json_object_set_new(v, "affected", affected);
    *out = v;
    return 0;
}

const struct vg_store_vuln_ops pg_vuln_ops = {
    .vuln_put = pg_vuln_put,
    .kev_put = pg_kev_put,
    .epss_put = pg_epss_put,
    .vuln_each = pg_vuln_each,
    .vuln_keys_for_products = pg_vuln_keys_for_products,
    .vuln_assets_each = pg_vuln_assets_each,
    .vuln_products_for_names = pg_vuln_products_for_names,
    .finding_replace = pg_finding_replace,
    .finding_prune = pg_finding_prune,
    .asset_ids_each = pg_asset_ids_each,
    .finding_sums_each = pg_finding_sums_each,
    .finding_list = pg_finding_list,
    .digest_take = pg_digest_take,
    .vuln_get = pg_vuln_get,
};
