/* Findings in the SQLite backend: the findings of a scope replaced at once (first_seen kept for
 * those found again), pruned when an asset goes, and the per-organisation fingerprint (count
 * and XOR of the findings' hashes, schema 4) kept with every write of findings. */
#include "store/sqlite_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/time.h"

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
        struct osums g = {vg_calloc(cap, sizeof *g.org), vg_calloc(cap, sizeof *g.n),
                          vg_calloc(cap, sizeof *g.h), cap, 0};
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
    long long *ids = vg_calloc(nassets ? nassets : 1, sizeof *ids);
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
    rc = sq_fail(s, d);
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
        return sq_fail(s, d);
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
        return sq_fail(s, d);
    return 0;
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
