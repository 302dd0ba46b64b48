/* The dashboard's statistics (issue 14): one use case answering GET /api/v1/stats and drawn
 * by the console's dashboard (GET /console/), so that both show the same numbers.
 *
 * Definitions (all times UTC):
 *  - weeks: incidents by creation time, in the 12 ISO weeks (Monday 00:00 to Monday 00:00)
 *    ending with the current one (which runs to the end of today), by RSIT class. An
 *    incident created exactly at Monday 00:00:00 counts in the week that begins then.
 *  - open: incidents whose status is neither closed nor rejected (core/lifecycle.h's final
 *    statuses), by severity.
 *  - triage time: from an incident's creation to its first status change (the first
 *    "status" entry of its timeline: the first move out of the status it was created in).
 *  - close time: from an incident's creation to the first time it reached "closed" (a
 *    reopened and closed again incident counts its first closing; a rejection is not a
 *    closing).
 *    Each median is over the incidents whose measured event happened in the window: the 90
 *    UTC days ending today (today and the 89 days before). An even count gives the mean of
 *    the two middle durations; none gives null. Durations are whole seconds.
 *  - top indicators: the 10 indicators with the most sightings, all time.
 *  - findings: the technology watch's findings by priority tier (0 "kev": in CISA's KEV; 1
 *    "epss": EPSS >= 0.1; 2 "other"), as the watch orders them (vuln/findings.h). */
#ifndef VG_APP_STATS_H
#define VG_APP_STATS_H

#include <jansson.h>
#include <time.h>

#include "store/store.h"

#define VG_STATS_WEEKS       12 /* weeks in the incidents-per-week series */
#define VG_STATS_WINDOW_DAYS 90 /* days of the medians' window */
#define VG_STATS_TOP         10 /* indicators in the top list */

/* The statistics at time now (time(NULL) but in tests): *out (the caller's) =
 * {"generated": RFC 3339,
 *  "weeks": [{"week": "2026-W38", "start": "2026-09-14", "total": n,
 *             "classes": {"fraud": n, ...} (classes with some only)}] (12, oldest first),
 *  "open": {"total": n, "by_severity": {"low": n, "medium": n, "high": n, "critical": n}},
 *  "times": {"window_days": 90, "since": "YYYY-MM-DD", "until": "YYYY-MM-DD" (exclusive),
 *            "triage": {"median_seconds": x or null, "count": n}, "close": {...}},
 *  "top_indicators": [{"id", "type", "value", "tlp", "sightings"}] (up to 10, most first),
 *  "findings": {"total": n, "by_priority": [{"priority": 0, "name": "kev", "count": n},
 *               {1, "epss"}, {2, "other"}]}}.
 * 0, or VG_EIO / VG_ENOMEM with d set. */
int vg_stats_get(struct vg_store *st, time_t now, json_t **out, struct vg_diag *d);

#endif
