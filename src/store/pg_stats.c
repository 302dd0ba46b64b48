/* PostgreSQL backend: the dashboard's aggregate counts (store/stats.h), as sqlite_stats.c,
 * from the same tables that triggers keep as incidents and timelines change (schema/pg: the
 * counts by day and class, the open incidents by severity, each incident's time to triage and
 * to close). The median is computed by the server (percentile_cont, which gives the mean of
 * the two middle values of an even count, as the contract says) instead of reading the
 * durations into memory as SQLite's backend does. No cache: every call reads what all servers
 * committed. */
#include "store/pg_int.h"

#include <stdlib.h>

#include "store/stats.h"

/* Appends row(r, i) of each row of r to a new array in *out; clears r. */
static int rows_json(PGresult *r, json_t *(*row)(const PGresult *r, int i), json_t **out,
                     struct vg_diag *d)
{
    json_t *arr = json_array();
    int rc = arr ? 0 : VG_ENOMEM;
    for (int i = 0; !rc && i < PQntuples(r); i++)
        if (json_array_append_new(arr, row(r, i)))
            rc = VG_ENOMEM;
    PQclear(r);
    if (rc) {
        json_decref(arr);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    *out = arr;
    return 0;
}

static json_t *day_row(const PGresult *r, int i)
{
    return json_pack("[s,s,I]", pg_get_text(r, i, 0), pg_get_text(r, i, 1),
                     (json_int_t)pg_get_int(r, i, 2));
}

static int stats_incident_days(struct vg_store *st, const char *since, const char *until,
                               json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, since);
    pg_param_text(&pp, until);
    PGresult *r = pg_run(p,
                         "SELECT day, class, n FROM stats_incident_day "
                         "WHERE day >= $1 AND day < $2 AND n > 0 ORDER BY day, class",
                         &pp);
    if (!r)
        return pg_error(p, d);
    return rows_json(r, day_row, out, d);
}

static int stats_open_by_severity(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    PGresult *r = pg_run(p, "SELECT severity, n FROM stats_open WHERE n > 0", NULL);
    if (!r)
        return pg_error(p, d);
    json_t *o = json_object();
    int rc = o ? 0 : VG_ENOMEM;
    for (int i = 0; !rc && i < PQntuples(r); i++)
        if (json_object_set_new(o, pg_get_text(r, i, 0),
                                json_integer((json_int_t)pg_get_int(r, i, 1))))
            rc = VG_ENOMEM;
    PQclear(r);
    if (rc) {
        json_decref(o);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    *out = o;
    return 0;
}

static int stats_median(struct vg_store *st, enum vg_stats_duration what, const char *since,
                        const char *until, double *median, long long *n, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    *median = 0;
    *n = 0;
    struct pg_params pp = {0};
    pg_param_text(&pp, since);
    pg_param_text(&pp, until);
    PGresult *r = what == VG_STATS_CLOSE
                      ? pg_run(p,
                               "SELECT count(*), coalesce(percentile_cont(0.5) WITHIN GROUP "
                               "(ORDER BY close_s), 0) FROM stats_incident_time "
                               "WHERE closed >= $1 AND closed < $2 AND closed IS NOT NULL",
                               &pp)
                      : pg_run(p,
                               "SELECT count(*), coalesce(percentile_cont(0.5) WITHIN GROUP "
                               "(ORDER BY triage_s), 0) FROM stats_incident_time "
                               "WHERE triaged >= $1 AND triaged < $2",
                               &pp);
    if (!r)
        return pg_error(p, d);
    int rc = PQntuples(r) == 1 ? 0 : vg_diag_set(d, VG_EIO, "", "database error: no median");
    if (!rc) {
        *n = pg_get_int(r, 0, 0);
        *median = *n ? strtod(pg_get_text(r, 0, 1), NULL) : 0;
    }
    PQclear(r);
    return rc;
}

static json_t *top_row(const PGresult *r, int i)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:I}", "id", (json_int_t)pg_get_int(r, i, 0), "type",
                     pg_get_text(r, i, 1), "value", pg_get_text(r, i, 2), "tlp",
                     pg_get_text(r, i, 3), "sightings", (json_int_t)pg_get_int(r, i, 4));
}

static int stats_top_sighted(struct vg_store *st, int limit, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    if (limit < 0)
        pg_param_text(&pp, NULL); /* no limit, as SQLite's LIMIT -1 */
    else
        pg_param_int(&pp, limit);
    /* every sighting is counted in its alert (one per indicator, organisation and day) */
    PGresult *r = pg_run(p,
                         "SELECT i.id, i.type, i.value, i.tlp, c.n FROM "
                         "(SELECT indicator_id, sum(count) AS n FROM alert "
                         "GROUP BY indicator_id) c JOIN indicator i ON i.id = c.indicator_id "
                         "ORDER BY c.n DESC, i.type, i.value LIMIT $1",
                         &pp);
    if (!r)
        return pg_error(p, d);
    return rows_json(r, top_row, out, d);
}

static int stats_findings_by_priority(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    PGresult *r = pg_run(p,
                         "SELECT CASE WHEN k.key IS NOT NULL THEN 0 WHEN e.score >= 0.1 THEN 1 "
                         "ELSE 2 END AS tier, count(*) FROM finding f "
                         "LEFT JOIN kev k ON k.key = f.key LEFT JOIN epss e ON e.key = f.key "
                         "GROUP BY tier",
                         NULL);
    if (!r)
        return pg_error(p, d);
    json_int_t n[3] = {0, 0, 0};
    for (int i = 0; i < PQntuples(r); i++) {
        long long tier = pg_get_int(r, i, 0);
        if (tier >= 0 && tier < 3)
            n[tier] = (json_int_t)pg_get_int(r, i, 1);
    }
    PQclear(r);
    *out = json_pack("[I,I,I]", n[0], n[1], n[2]);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

const struct vg_store_stats_ops pg_stats_ops = {
    .incident_days = stats_incident_days,
    .open_by_severity = stats_open_by_severity,
    .median = stats_median,
    .top_sighted = stats_top_sighted,
    .findings_by_priority = stats_findings_by_priority,
};
