/* SQLite backend: the idempotent import of indicators in C form (store/indicator.h,
 * vg_store_indicator_import_recs), the path of every indicator import. A new indicator costs
 * one INSERT ... ON CONFLICT DO NOTHING (its id the last inserted rowid); only one that exists
 * is read back and merged by core's rule (core/indicator.h). */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/indicator.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/time.h"

/* Whether two optional texts are equal (NULL equals NULL only). */
static bool same(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* A column as text, or NULL when it is NULL. */
static const char *col_or_null(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? NULL : sq_col_text(q, i);
}

/* Records the connection's error of a failed step. */
static int step_error(struct sq *s, int step)
{
    s->last_rc = step;
    snprintf(s->last_error, sizeof s->last_error, "%s", sqlite3_errmsg(s->db));
    return VG_EIO;
}

/* Merges r into the stored indicator of its type and value (core/indicator.h's rule: the
 * fields given replace, first and last seen widen). Returns 1 updated, 2 unchanged, VG_EIO
 * or VG_ENOMEM. */
static int merge(struct sq *s, const struct vg_indicator_rec *r, const char *now, long long *id)
{
    sqlite3_stmt *q = sq_prep(s, "SELECT id, tlp, source, confidence, tags, first_seen, "
                                 "last_seen, expires FROM indicator WHERE type = ? AND value = ?");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, r->type);
    sq_bind_text(q, 2, r->value);
    int step = sqlite3_step(q);
    if (step != SQLITE_ROW) {
        /* none: the insert just said there was one; a failed step may have rolled back */
        int rc = step_error(s, step);
        sq_done(s, q);
        return rc;
    }
    /* an allocation that fails while the row is read leaves a column empty: not merged */
    unsigned long before = vg_mem_thread_failures();
    *id = sqlite3_column_int64(q, 0);
    const char *tlp = r->tlp ? r->tlp : sq_col_text(q, 1);
    const char *source = r->source ? r->source : sq_col_text(q, 2);
    int conf = r->confidence >= 0 ? r->confidence : sqlite3_column_int(q, 3);
    const char *tags = r->tags ? r->tags : sq_col_text(q, 4);
    const char *fs = vg_indicator_widen(col_or_null(q, 5), r->first_seen, true);
    const char *ls = vg_indicator_widen(col_or_null(q, 6), r->last_seen, false);
    const char *exp = r->expires ? r->expires : col_or_null(q, 7);
    bool changed = !same(tlp, sq_col_text(q, 1)) || !same(source, sq_col_text(q, 2)) ||
                   conf != sqlite3_column_int(q, 3) || !same(tags, sq_col_text(q, 4)) ||
                   !same(fs, col_or_null(q, 5)) || !same(ls, col_or_null(q, 6)) ||
                   !same(exp, col_or_null(q, 7));
    /* what the update writes, copied: the row's texts die with the query's reset */
    char *next[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    const char *from[6] = {tlp, source, tags, fs, ls, exp};
    for (int i = 0; changed && i < 6; i++)
        next[i] = from[i] ? vg_strdup(from[i]) : NULL;
    sq_done(s, q);
    int rc = 2;
    if (vg_mem_thread_failures() != before) {
        rc = VG_ENOMEM;
    } else if (changed) {
        sqlite3_stmt *u =
            sq_prep(s, "UPDATE indicator SET tlp = ?, source = ?, confidence = ?, tags = ?, "
                       "first_seen = ?, last_seen = ?, expires = ?, updated = ? WHERE id = ?");
        if (!u) {
            rc = VG_EIO;
        } else {
            sq_bind_text(u, 1, next[0]);
            sq_bind_text(u, 2, next[1]);
            sqlite3_bind_int(u, 3, conf);
            sq_bind_text(u, 4, next[2]);
            sq_bind_text(u, 5, next[3]);
            sq_bind_text(u, 6, next[4]);
            sq_bind_text(u, 7, next[5]);
            sq_bind_text(u, 8, now);
            sqlite3_bind_int64(u, 9, *id);
            rc = sq_step_done(s, u) ? VG_EIO : 1;
        }
    }
    for (int i = 0; i < 6; i++)
        free(next[i]);
    return rc;
}

/* Binds v without a copy (NULL: SQL NULL): the records outlive the statement's step. */
static void bind_static(sqlite3_stmt *q, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
}

/* Inserts r or merges it into the stored one. Returns 0 added, 1 updated, 2 unchanged, VG_EIO
 * or VG_ENOMEM. */
static int upsert(struct sq *s, const struct vg_indicator_rec *r, const char *now, long long *id)
{
    /* DO NOTHING on the (type, value) key only: the new row's id is the last inserted rowid
     * when a row changed (RETURNING id would cost a temporary table per statement) */
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO indicator(type, value, tlp, source, confidence, "
                                 "tags, first_seen, last_seen, expires, created, updated) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                                 "ON CONFLICT (type, value) DO NOTHING");
    if (!q)
        return VG_EIO;
    /* a new one: the defaults of core/indicator.h for what is not given */
    bind_static(q, 1, r->type);
    bind_static(q, 2, r->value);
    bind_static(q, 3, r->tlp ? r->tlp : "AMBER");
    bind_static(q, 4, r->source ? r->source : "");
    sqlite3_bind_int(q, 5, r->confidence >= 0 ? r->confidence : 50);
    bind_static(q, 6, r->tags ? r->tags : "[]");
    bind_static(q, 7, r->first_seen);
    bind_static(q, 8, r->last_seen);
    bind_static(q, 9, r->expires);
    bind_static(q, 10, now);
    bind_static(q, 11, now);
    int step = sqlite3_step(q);
    int rc = step == SQLITE_DONE ? 0 : step_error(s, step);
    bool added = rc == 0 && sqlite3_changes(s->db) == 1;
    if (added)
        *id = sqlite3_last_insert_rowid(s->db);
    sq_done(s, q);
    if (rc || added)
        return rc;
    return merge(s, r, now, id);
}

/* Counts a change of the indicators in the counter "indicator.gen" (in the import's
 * transaction): vg_store_indicator_version reads it, whichever connection or process wrote. */
static int bump_gen(struct sq *s)
{
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO counter(name, value) VALUES ('indicator.gen', 1) "
                                 "ON CONFLICT(name) DO UPDATE SET value = value + 1");
    if (!q)
        return -1;
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
    sq_done(s, q);
    return rc;
}

int sq_indicator_import_recs(struct vg_store *st, const struct vg_actor *who,
                             const struct vg_indicator_rec *v, size_t n, long long *ids,
                             struct vg_indicator_import_counts *counts, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    size_t c[3] = {0, 0, 0};
    /* the audit's detail is built first: nothing may fail once the rows are written */
    json_t *summary = json_pack("{s:I,s:I,s:I}", "added", (json_int_t)0, "updated", (json_int_t)0,
                                "unchanged", (json_int_t)0);
    if (!summary)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (sq_begin(s)) {
        json_decref(summary);
        return sq_db_error(s, d);
    }
    for (size_t i = 0; i < n; i++) {
        long long id = 0;
        int r = upsert(s, &v[i], now, &id);
        if (r < 0) {
            json_decref(summary);
            return sq_fail(s, d);
        }
        c[r]++;
        if (ids)
            ids[i] = id;
    }
    json_integer_set(json_object_get(summary, "added"), (json_int_t)c[0]);
    json_integer_set(json_object_get(summary, "updated"), (json_int_t)c[1]);
    json_integer_set(json_object_get(summary, "unchanged"), (json_int_t)c[2]);
    if ((c[0] || c[1]) &&
        (sq_audit(s, who, "indicator.import", "indicators", summary) || bump_gen(s))) {
        json_decref(summary);
        return sq_fail(s, d);
    }
    json_decref(summary);
    if (sq_commit(s))
        return sq_fail(s, d);
    *counts = (struct vg_indicator_import_counts){c[0], c[1], c[2]};
    return 0;
}
