/* Findings as lists and digests show them in the SQLite backend: an organisation's findings by
 * priority, and its digest (the findings new since the last one, recorded as taken). */
#include "store/sqlite_int.h"

#include <stdio.h>

#include "util/time.h"

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
        return sq_fail(s, d);
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
    return sq_fail(s, d);
}
