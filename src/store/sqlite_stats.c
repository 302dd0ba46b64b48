/* SQLite backend: the dashboard's aggregate counts (store/stats.h), each one query over an
 * index (migration 16) that SQLite groups and counts itself. */
#include "store/sqlite_int.h"

#include "store/stats.h"

/* Runs q (parameters bound) and appends row(q) of each result row to a new array in *out. */
static int rows_json(struct sq *s, sqlite3_stmt *q, json_t *(*row)(sqlite3_stmt *q), json_t **out,
                     struct vg_diag *d)
{
    json_t *arr = json_array();
    int step, rc = 0;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (!arr || json_array_append_new(arr, row(q))) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_db_error(s, d);
    sq_done(s, q);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

static json_t *day_row(sqlite3_stmt *q)
{
    return json_pack("[s,s,I]", sq_col_text(q, 0), sq_col_text(q, 1),
                     (json_int_t)sqlite3_column_int64(q, 2));
}

static int stats_incident_days(struct vg_store *st, const char *since, const char *until,
                               json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT substr(created, 1, 10) AS day, class, count(*) "
                                 "FROM incident WHERE created >= ?1 AND created < ?2 "
                                 "GROUP BY day, class ORDER BY day, class");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, since);
    sq_bind_text(q, 2, until);
    return rows_json(s, q, day_row, out, d);
}

static int stats_open_by_severity(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT severity, count(*) FROM incident "
                                 "WHERE status NOT IN ('closed', 'rejected') GROUP BY severity");
    if (!q)
        return sq_db_error(s, d);
    json_t *o = json_object();
    int step, rc = 0;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (!o || json_object_set_new(o, sq_col_text(q, 0),
                                      json_integer((json_int_t)sqlite3_column_int64(q, 1)))) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_db_error(s, d);
    sq_done(s, q);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* The middle one or two of the durations, with their count: rows (s, n) where the row number
 * is (n+1)/2 or (n+2)/2 (the same row when n is odd). A duration is rounded to the second:
 * julianday keeps the stored fraction of each timestamp. */
#define MEDIAN_OF(durations)                                                                       \
    "WITH d AS (" durations "), "                                                                  \
    "o AS (SELECT s, row_number() OVER (ORDER BY s) AS rn, count(*) OVER () AS n FROM d) "         \
    "SELECT s, n FROM o WHERE rn IN ((n + 1) / 2, (n + 2) / 2)"
#define SECONDS "CAST(round((julianday(t.at) - julianday(i.created)) * 86400.0) AS INTEGER) AS s "

static const char triage_sql[] = MEDIAN_OF(
    "SELECT " SECONDS "FROM timeline t JOIN incident i ON i.id = t.incident_id "
    "WHERE t.action = 'status' AND t.at >= ?1 AND t.at < ?2 AND NOT EXISTS (SELECT 1 FROM "
    "timeline p WHERE p.incident_id = t.incident_id AND p.action = 'status' AND p.id < t.id)");
static const char close_sql[] = MEDIAN_OF(
    "SELECT " SECONDS "FROM timeline t JOIN incident i ON i.id = t.incident_id "
    "WHERE t.action = 'status' AND t.at >= ?1 AND t.at < ?2 "
    "AND json_extract(t.detail, '$.to') = 'closed' AND NOT EXISTS (SELECT 1 FROM timeline p "
    "WHERE p.incident_id = t.incident_id AND p.action = 'status' AND p.id < t.id "
    "AND json_extract(p.detail, '$.to') = 'closed')");

static int stats_median(struct vg_store *st, enum vg_stats_duration what, const char *since,
                        const char *until, double *median, long long *n, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    *median = 0;
    *n = 0;
    sqlite3_stmt *q = sq_prep(s, what == VG_STATS_CLOSE ? close_sql : triage_sql);
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, since);
    sq_bind_text(q, 2, until);
    long long sum = 0;
    int rows = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        sum += sqlite3_column_int64(q, 0);
        *n = sqlite3_column_int64(q, 1);
        rows++;
    }
    sq_done(s, q);
    if (step != SQLITE_DONE)
        return sq_db_error(s, d);
    if (rows)
        *median = (double)sum / rows;
    return 0;
}

static json_t *top_row(sqlite3_stmt *q)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:I}", "id", (json_int_t)sqlite3_column_int64(q, 0), "type",
                     sq_col_text(q, 1), "value", sq_col_text(q, 2), "tlp", sq_col_text(q, 3),
                     "sightings", (json_int_t)sqlite3_column_int64(q, 4));
}

static int stats_top_sighted(struct vg_store *st, int limit, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT i.id, i.type, i.value, i.tlp, c.n FROM "
                                 "(SELECT indicator_id, count(*) AS n FROM sighting "
                                 "GROUP BY indicator_id) c JOIN indicator i ON i.id = "
                                 "c.indicator_id ORDER BY c.n DESC, i.type, i.value LIMIT ?");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int(q, 1, limit);
    return rows_json(s, q, top_row, out, d);
}

static int stats_findings_by_priority(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q =
        sq_prep(s, "SELECT CASE WHEN k.key IS NOT NULL THEN 0 WHEN e.score >= 0.1 THEN 1 "
                   "ELSE 2 END AS tier, count(*) FROM finding f LEFT JOIN kev k ON k.key = f.key "
                   "LEFT JOIN epss e ON e.key = f.key GROUP BY tier");
    if (!q)
        return sq_db_error(s, d);
    json_int_t n[3] = {0, 0, 0};
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        int tier = sqlite3_column_int(q, 0);
        if (tier >= 0 && tier < 3)
            n[tier] = (json_int_t)sqlite3_column_int64(q, 1);
    }
    sq_done(s, q);
    if (step != SQLITE_DONE)
        return sq_db_error(s, d);
    *out = json_pack("[I,I,I]", n[0], n[1], n[2]);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

const struct vg_store_stats_ops sq_stats_ops = {
    .incident_days = stats_incident_days,
    .open_by_severity = stats_open_by_severity,
    .median = stats_median,
    .top_sighted = stats_top_sighted,
    .findings_by_priority = stats_findings_by_priority,
};
