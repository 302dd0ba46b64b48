/* Time helpers: RFC 3339 UTC timestamps, as stored and as shown in JSON. */
#ifndef VG_TIME_H
#define VG_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define VG_TIME_LEN 64 /* room for "2026-11-29T04:50:40.123456Z" with any year, and a NUL */

/* Formats the current time as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (microseconds, sorts as text). */
void vg_time_now(char out[VG_TIME_LEN]);
/* Formats t (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SSZ". */
void vg_time_fmt(time_t t, char out[VG_TIME_LEN]);
/* Parses an RFC 3339 date-time ("Z" or "+hh:mm" offset, optional fraction) or a plain date
 * "YYYY-MM-DD"; returns 0 and seconds since the epoch in UTC, or -1. */
int vg_time_parse(const char *s, time_t *out);
/* The current year, UTC. */
int vg_time_year(void);
/* Seconds on the monotonic clock (CLOCK_MONOTONIC): for durations and rates, never dates. */
double vg_time_mono(void);

#endif
