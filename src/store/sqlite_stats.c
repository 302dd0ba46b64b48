/* SQLite backend: the dashboard's aggregate counts (store/stats.h). The counts by day and
 * class, the open incidents by severity and each incident's time to triage and to close are
 * kept by triggers (migration 16) as incidents and timelines change: reading them costs the
 * same with 100,000 incidents as with ten. */
#include "store/sqlite_int.h"

#include <stdlib.h>

#include "store/stats.h"
#include "util/mem.h"

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
    sqlite3_stmt *q = sq_prep(s, "SELECT day, class, n FROM stats_incident_day "
                                 "WHERE day >= ?1 AND day < ?2 AND n > 0 ORDER BY day, class");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, since);
    sq_bind_text(q, 2, until);
    return rows_json(s, q, day_row, out, d);
}

static int stats_open_by_severity(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT severity, n FROM stats_open WHERE n > 0");
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

/* The k-th smallest of v[0..n) (k < n), moved to v[k] with the smaller ones before it
 * (quickselect, Hoare's partition around a median of three: linear on average where a whole
 * sort of 25,000 durations took most of a dashboard's time). */
static long long select_kth(long long *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        long long a = v[lo], b = v[mid], c = v[hi];
        long long pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                long long t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j && j != (size_t)-1)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

/* The durations come from stats_incident_time (migration 16), kept by triggers from the
 * timeline, over its index on the event's time; the middle ones selected here (a window
 * function's sort of 25,000 rows took 100 ms, qsort 2 ms, a selection 0.3 ms). */
static int stats_median(struct vg_store *st, enum vg_stats_duration what, const char *since,
                        const char *until, double *median, long long *n, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    *median = 0;
    *n = 0;
    sqlite3_stmt *q = what == VG_STATS_CLOSE
                          ? sq_prep(s, "SELECT close_s FROM stats_incident_time "
                                       "WHERE closed >= ?1 AND closed < ?2 AND closed IS NOT NULL")
                          : sq_prep(s, "SELECT triage_s FROM stats_incident_time "
                                       "WHERE triaged >= ?1 AND triaged < ?2");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, since);
    sq_bind_text(q, 2, until);
    long long *v = NULL;
    size_t len = 0, cap = 0;
    int step, rc = 0;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (vg_grow((void **)&v, &cap, len + 1, sizeof *v, 1024)) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            break;
        }
        v[len++] = sqlite3_column_int64(q, 0);
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_db_error(s, d);
    sq_done(s, q);
    if (!rc && len) {
        long long hi = select_kth(v, len, len / 2);
        if (len % 2) {
            *median = (double)hi;
        } else { /* the largest of those before it is the other middle one */
            long long lo = v[0];
            for (size_t i = 1; i < len / 2; i++)
                if (v[i] > lo)
                    lo = v[i];
            *median = ((double)lo + (double)hi) / 2;
        }
        *n = (long long)len;
    }
    free(v);
    return rc;
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
    /* every sighting is counted in its alert (one per indicator, organisation and day) as it
     * is recorded: summing the alerts' counts reads far fewer rows than the sightings */
    sqlite3_stmt *q = sq_prep(s, "SELECT i.id, i.type, i.value, i.tlp, c.n FROM "
                                 "(SELECT indicator_id, sum(count) AS n FROM alert "
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
