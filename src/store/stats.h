/* The store's statistics for the dashboard and GET /api/v1/stats (app/stats.h): aggregate
 * counts computed by the backend's queries, never by reading whole tables into memory.
 * Included by store/store.h; a backend fills struct vg_store_stats_ops. The bounds `since`
 * (included) and `until` (excluded) are UTC days "YYYY-MM-DD": a day bound compares as text
 * before every stored time of that day ("YYYY-MM-DDTHH:MM:SS.ffffffZ"). */
#ifndef VG_STORE_STATS_H
#define VG_STORE_STATS_H

#include <jansson.h>

#include "store/base.h"

/* Which duration vg_store_stats_median measures (app/stats.h defines them for users). */
enum vg_stats_duration {
    VG_STATS_TRIAGE, /* created -> the incident's first "status" timeline entry */
    VG_STATS_CLOSE,  /* created -> the incident's first "status" entry whose "to" is closed */
};

struct vg_store_stats_ops {
    int (*incident_days)(struct vg_store *st, const char *since, const char *until, json_t **out,
                         struct vg_diag *d);
    int (*open_by_severity)(struct vg_store *st, json_t **out, struct vg_diag *d);
    int (*median)(struct vg_store *st, enum vg_stats_duration what, const char *since,
                  const char *until, double *median, long long *n, struct vg_diag *d);
    int (*top_sighted)(struct vg_store *st, int limit, json_t **out, struct vg_diag *d);
    int (*findings_by_priority)(struct vg_store *st, json_t **out, struct vg_diag *d);
};

/* Incidents created in [since, until), counted by UTC day and RSIT class: *out = [["YYYY-MM-DD",
 * "class", n], ...] ordered by day then class (a new reference). 0 or VG_EIO. */
int vg_store_stats_incident_days(struct vg_store *st, const char *since, const char *until,
                                 json_t **out, struct vg_diag *d);
/* Incidents neither closed nor rejected, by severity: *out = {"low": n, ...} with only the
 * severities that have some. 0 or VG_EIO. */
int vg_store_stats_open_by_severity(struct vg_store *st, json_t **out, struct vg_diag *d);
/* The median, in seconds, of duration `what` over the incidents whose measured event (their
 * first status change, their first closing) happened in [since, until); *n = how many. With
 * none, *n = 0 and *median = 0. An even count gives the mean of the two middle values. 0 or
 * VG_EIO. */
int vg_store_stats_median(struct vg_store *st, enum vg_stats_duration what, const char *since,
                          const char *until, double *median, long long *n, struct vg_diag *d);
/* The `limit` indicators with the most sightings (all time; as their alerts count them),
 * most first, ties by type then value: *out = [{"id","type","value","tlp","sightings"}]. 0 or
 * VG_EIO. */
int vg_store_stats_top_sighted(struct vg_store *st, int limit, json_t **out, struct vg_diag *d);
/* The technology watch's findings counted by priority tier (0: in KEV, 1: EPSS >= 0.1, 2: the
 * rest; vuln/findings.h): *out = [n0, n1, n2]. 0 or VG_EIO. */
int vg_store_stats_findings_by_priority(struct vg_store *st, json_t **out, struct vg_diag *d);

#endif
