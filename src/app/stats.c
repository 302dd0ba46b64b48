/* The dashboard's statistics (app/stats.h): the store's aggregate counts put in weeks, the
 * medians' window and the shape the API and the dashboard share. */
#include "app/stats.h"

#include <string.h>

#include "core/model.h"
#include "util/time.h"

#define DAY 86400

/* "YYYY-MM-DD" of day number `day` (days since 1970-01-01). */
static void day_fmt(long long day, char out[16])
{
    time_t t = (time_t)(day * DAY);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (!strftime(out, 16, "%Y-%m-%d", &tm))
        out[0] = '\0';
}

/* The days since 1970-01-01 of t (floor). */
static long long day_of(time_t t)
{
    long long s = (long long)t;
    return s >= 0 ? s / DAY : -((-s + DAY - 1) / DAY);
}

/* The weeks series from the store's counts per day and class. */
static int weeks_json(struct vg_store *st, long long today, json_t **out, struct vg_diag *d)
{
    /* 1970-01-01 was a Thursday: Monday is day 0 of (day + 3) % 7 */
    long long monday = today - ((today % 7 + 7 + 3) % 7);
    long long first = monday - 7LL * (VG_STATS_WEEKS - 1);
    char since[16], until[16];
    day_fmt(first, since);
    day_fmt(today + 1, until);
    json_t *days = NULL;
    int rc = vg_store_stats_incident_days(st, since, until, &days, d);
    if (rc)
        return rc;
    json_t *weeks = json_array();
    char starts[VG_STATS_WEEKS][16];
    for (int w = 0; w < VG_STATS_WEEKS; w++) {
        char *start = starts[w], label[16];
        day_fmt(first + 7LL * w, start);
        time_t t = (time_t)((first + 7LL * w) * DAY);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(label, sizeof label, "%G-W%V", &tm);
        json_array_append_new(weeks, json_pack("{s:s,s:s,s:I,s:{}}", "week", label, "start", start,
                                               "total", (json_int_t)0, "classes"));
    }
    size_t i;
    json_t *row;
    json_array_foreach(days, i, row) {
        const char *day = json_string_value(json_array_get(row, 0));
        const char *cls = json_string_value(json_array_get(row, 1));
        json_int_t n = json_integer_value(json_array_get(row, 2));
        /* days come in order; find the week whose start is the last one <= day */
        int w = VG_STATS_WEEKS - 1;
        while (w > 0 && strcmp(starts[w], day ? day : "") > 0)
            w--;
        json_t *wk = json_array_get(weeks, (size_t)w);
        json_t *classes = json_object_get(wk, "classes");
        json_t *c = json_object_get(classes, cls ? cls : "");
        json_object_set_new(classes, cls ? cls : "", json_integer(json_integer_value(c) + n));
        json_object_set_new(wk, "total",
                            json_integer(json_integer_value(json_object_get(wk, "total")) + n));
    }
    json_decref(days);
    *out = weeks;
    return weeks ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int open_json(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    json_t *counts = NULL;
    int rc = vg_store_stats_open_by_severity(st, &counts, d);
    if (rc)
        return rc;
    json_t *by = json_object();
    json_int_t total = 0;
    for (const char *const *s = vg_severity_names; *s; s++)
        json_object_set_new(by, *s, json_integer(json_integer_value(json_object_get(counts, *s))));
    const char *k;
    json_t *v;
    json_object_foreach(counts, k, v) {
        total += json_integer_value(v);
        if (!json_object_get(by, k)) /* a severity core does not know: shown, not lost */
            json_object_set(by, k, v);
    }
    json_decref(counts);
    *out = json_pack("{s:I,s:o}", "total", total, "by_severity", by);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int median_json(struct vg_store *st, enum vg_stats_duration what, const char *since,
                       const char *until, json_t **out, struct vg_diag *d)
{
    double m;
    long long n;
    int rc = vg_store_stats_median(st, what, since, until, &m, &n, d);
    if (rc)
        return rc;
    *out = json_pack("{s:o,s:I}", "median_seconds", n ? json_real(m) : json_null(), "count",
                     (json_int_t)n);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int times_json(struct vg_store *st, long long today, json_t **out, struct vg_diag *d)
{
    char since[16], until[16];
    day_fmt(today - (VG_STATS_WINDOW_DAYS - 1), since);
    day_fmt(today + 1, until);
    json_t *triage = NULL, *close = NULL;
    int rc = median_json(st, VG_STATS_TRIAGE, since, until, &triage, d);
    if (!rc)
        rc = median_json(st, VG_STATS_CLOSE, since, until, &close, d);
    if (rc) {
        json_decref(triage);
        return rc;
    }
    *out = json_pack("{s:i,s:s,s:s,s:o,s:o}", "window_days", VG_STATS_WINDOW_DAYS, "since", since,
                     "until", until, "triage", triage, "close", close);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int findings_json(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    static const char *const names[] = {"kev", "epss", "other"};
    json_t *n = NULL;
    int rc = vg_store_stats_findings_by_priority(st, &n, d);
    if (rc)
        return rc;
    json_t *by = json_array();
    json_int_t total = 0;
    for (size_t i = 0; i < 3; i++) {
        json_int_t c = json_integer_value(json_array_get(n, i));
        total += c;
        json_array_append_new(by, json_pack("{s:I,s:s,s:I}", "priority", (json_int_t)i, "name",
                                            names[i], "count", c));
    }
    json_decref(n);
    *out = json_pack("{s:I,s:o}", "total", total, "by_priority", by);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

int vg_stats_get(struct vg_store *st, time_t now, json_t **out, struct vg_diag *d)
{
    *out = NULL;
    long long today = day_of(now);
    json_t *weeks = NULL, *open = NULL, *times = NULL, *top = NULL, *findings = NULL;
    int rc = weeks_json(st, today, &weeks, d);
    if (!rc)
        rc = open_json(st, &open, d);
    if (!rc)
        rc = times_json(st, today, &times, d);
    if (!rc)
        rc = vg_store_stats_top_sighted(st, VG_STATS_TOP, &top, d);
    if (!rc)
        rc = findings_json(st, &findings, d);
    if (rc) {
        json_decref(weeks);
        json_decref(open);
        json_decref(times);
        json_decref(top);
        return rc;
    }
    char gen[VG_TIME_LEN];
    vg_time_fmt(now, gen);
    *out = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "generated", gen, "weeks", weeks, "open", open,
                     "times", times, "top_indicators", top, "findings", findings);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}
