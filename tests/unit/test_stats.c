/* Unit tests of the dashboard's statistics (app/stats.c over store/sqlite_stats.c) on a known
 * data set, with the clock pinned: week boundaries, the medians' window, odd and even counts,
 * the top list's order and limit, findings' tiers, and a database without data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/stats.h"
#include "core/record.h"
#include "store/store.h"

#include "store_fixture.h"

/* 2026-12-06T12:00:00Z, a Sunday: the current ISO week began on Monday 2026-11-30. */
#define NOW ((time_t)1796558400)

/* Creates an incident through the store, then sets what the clock would have made. */
static long long incident_at(struct fixture *f, const char *cls, const char *type,
                             const char *created, const char *status, const char *severity)
{
    char json[256];
    snprintf(json, sizeof json, "{\"title\":\"t\",\"class\":\"%s\",\"type\":\"%s\"}", cls, type);
    json_t *in = json_loads(json, 0, NULL), *inc = NULL, *out = NULL;
    struct vg_incident_new rec = {0};
    struct vg_diag d;
    assert_int_equal(vg_incident_check(in, VG_CHECK_CREATE, &inc, &d), 0);
    assert_int_equal(vg_incident_new_from_json(inc, &rec, &d), 0);
    assert_int_equal(vg_store_incident_create(f->st, &who, &rec, &out, &d), 0);
    vg_incident_new_cleanup(&rec);
    json_decref(in);
    json_decref(inc);
    json_decref(out);
    long long id = scalar_on(f->path, "SELECT max(id) FROM incident");
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE incident SET created = '%s', status = '%s', severity = '%s' WHERE id = %lld",
             created, status, severity, id);
    exec_on(f->path, sql);
    return id;
}

static void status_at(struct fixture *f, long long id, const char *at, const char *from,
                      const char *to)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO timeline(incident_id, at, actor, action, detail) VALUES (%lld, '%s', "
             "'tester', 'status', '{\"from\":\"%s\",\"to\":\"%s\"}')",
             id, at, from, to);
    exec_on(f->path, sql);
}

static json_t *stats(struct fixture *f)
{
    json_t *out = NULL;
    struct vg_diag d;
    assert_int_equal(vg_stats_get(f->st, NOW, &out, &d), 0);
    assert_non_null(out);
    return out;
}

static json_int_t num(const json_t *o, const char *path1, const char *path2)
{
    const json_t *v = json_object_get(o, path1);
    if (path2)
        v = json_object_get(v, path2);
    return json_integer_value(v);
}

static void no_data_at_all(void **state)
{
    json_t *s = stats(*state);
    assert_string_equal(json_string_value(json_object_get(s, "generated")), "2026-12-06T12:00:00Z");
    json_t *weeks = json_object_get(s, "weeks");
    assert_int_equal(json_array_size(weeks), 12);
    assert_string_equal(json_string_value(json_object_get(json_array_get(weeks, 0), "week")),
                        "2026-W38");
    assert_string_equal(json_string_value(json_object_get(json_array_get(weeks, 0), "start")),
                        "2026-09-14");
    assert_string_equal(json_string_value(json_object_get(json_array_get(weeks, 11), "week")),
                        "2026-W49");
    assert_string_equal(json_string_value(json_object_get(json_array_get(weeks, 11), "start")),
                        "2026-11-30");
    for (size_t i = 0; i < 12; i++) {
        assert_int_equal(num(json_array_get(weeks, i), "total", NULL), 0);
        assert_int_equal(json_object_size(json_object_get(json_array_get(weeks, i), "classes")), 0);
    }
    json_t *open = json_object_get(s, "open");
    assert_int_equal(num(open, "total", NULL), 0);
    assert_int_equal(json_object_size(json_object_get(open, "by_severity")), 4);
    assert_int_equal(num(open, "by_severity", "critical"), 0);
    json_t *times = json_object_get(s, "times");
    assert_string_equal(json_string_value(json_object_get(times, "since")), "2026-09-08");
    assert_string_equal(json_string_value(json_object_get(times, "until")), "2026-12-07");
    assert_true(json_is_null(json_object_get(json_object_get(times, "triage"), "median_seconds")));
    assert_int_equal(num(json_object_get(times, "triage"), "count", NULL), 0);
    assert_true(json_is_null(json_object_get(json_object_get(times, "close"), "median_seconds")));
    assert_int_equal(json_array_size(json_object_get(s, "top_indicators")), 0);
    assert_int_equal(num(json_object_get(s, "findings"), "total", NULL), 0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(s, "findings"),
                                                     "by_priority")),
                     3);
    json_decref(s);
}

static void incidents_by_week_and_severity(void **state)
{
    struct fixture *f = *state;
    /* exactly on the current week's first instant: that week */
    incident_at(f, "fraud", "phishing", "2026-11-30T00:00:00.000000Z", "new", "high");
    /* the last microsecond of the week before */
    incident_at(f, "fraud", "phishing", "2026-11-29T23:59:59.999999Z", "closed", "low");
    /* the first instant of the oldest week shown, and the second before it (not shown) */
    incident_at(f, "malicious-code", "infected-system", "2026-09-14T00:00:00.000000Z", "rejected",
                "critical");
    incident_at(f, "malicious-code", "infected-system", "2026-09-13T23:59:59.000000Z", "triage",
                "high");
    incident_at(f, "intrusions", "system-compromise", "2026-12-06T11:00:00.000000Z", "analysis",
                "medium");
    /* later today than NOW: still the current week (it runs to the end of today) */
    incident_at(f, "intrusions", "system-compromise", "2026-12-06T23:59:59.000000Z", "recovery",
                "critical");
    /* tomorrow: not counted */
    incident_at(f, "intrusions", "system-compromise", "2026-12-07T00:00:00.000000Z", "closed",
                "low");
    /* inserted already final (as an import could): counted by week, never open */
    exec_on(f->path, "INSERT INTO incident(ref, title, class, type, severity, tlp, pap, status, "
                     "created, updated, created_by) VALUES "
                     "('X-1', 't', 'fraud', 'phishing', 'low', 'AMBER', 'AMBER', 'rejected', "
                     "'2026-12-01T00:00:00.000000Z', 'x', 'x'), "
                     "('X-2', 't', 'fraud', 'phishing', 'low', 'AMBER', 'AMBER', 'closed', "
                     "'2026-12-01T00:00:00.000000Z', 'x', 'x')");
    json_t *s = stats(f);
    json_t *weeks = json_object_get(s, "weeks");
    json_t *w11 = json_array_get(weeks, 11), *w10 = json_array_get(weeks, 10),
           *w0 = json_array_get(weeks, 0);
    assert_int_equal(num(w11, "total", NULL), 5);
    assert_int_equal(num(w11, "classes", "fraud"), 3);
    assert_int_equal(num(w11, "classes", "intrusions"), 2);
    assert_int_equal(json_object_size(json_object_get(w11, "classes")), 2);
    assert_int_equal(num(w10, "total", NULL), 1);
    assert_int_equal(num(w10, "classes", "fraud"), 1);
    assert_int_equal(num(w0, "total", NULL), 1);
    assert_int_equal(num(w0, "classes", "malicious-code"), 1);
    json_int_t all = 0;
    for (size_t i = 0; i < 12; i++)
        all += num(json_array_get(weeks, i), "total", NULL);
    assert_int_equal(all, 7);
    /* open: not closed, not rejected */
    json_t *open = json_object_get(s, "open");
    assert_int_equal(num(open, "total", NULL), 4);
    assert_int_equal(num(open, "by_severity", "high"), 2);
    assert_int_equal(num(open, "by_severity", "medium"), 1);
    assert_int_equal(num(open, "by_severity", "critical"), 1);
    assert_int_equal(num(open, "by_severity", "low"), 0);
    json_decref(s);
}

static void medians_odd_even_and_window(void **state)
{
    struct fixture *f = *state;
    long long a =
        incident_at(f, "fraud", "phishing", "2026-11-30T00:00:00.000000Z", "analysis", "high");
    status_at(f, a, "2026-11-30T01:00:00.000000Z", "new", "triage"); /* 3600 */
    status_at(f, a, "2026-11-30T05:00:00.000000Z", "triage", "analysis");
    long long b =
        incident_at(f, "fraud", "phishing", "2026-11-29T23:59:59.999999Z", "closed", "low");
    status_at(f, b, "2026-11-30T00:59:59.999999Z", "new", "triage");    /* 3600 */
    status_at(f, b, "2026-12-01T23:59:59.999999Z", "triage", "closed"); /* 172800 */
    long long c =
        incident_at(f, "fraud", "phishing", "2026-09-14T00:00:00.000000Z", "rejected", "low");
    status_at(f, c, "2026-09-14T02:00:00.000000Z", "new", "rejected"); /* 7200, no closing */
    long long dd =
        incident_at(f, "fraud", "phishing", "2026-09-13T23:59:59.000000Z", "triage", "low");
    status_at(f, dd, "2026-09-14T03:59:59.000000Z", "new", "triage"); /* 14400 */
    long long e =
        incident_at(f, "fraud", "phishing", "2026-12-06T11:00:00.000000Z", "triage", "low");
    status_at(f, e, "2026-12-06T11:30:00.000000Z", "new", "triage"); /* 1800 */
    /* triaged before the window (its second change is in it, but not its first); closed
     * exactly at the window's first instant (counted), then reopened and closed again (not) */
    long long g =
        incident_at(f, "fraud", "phishing", "2026-08-01T00:00:00.000000Z", "closed", "low");
    status_at(f, g, "2026-09-07T23:59:59.000000Z", "new", "triage");
    status_at(f, g, "2026-09-08T00:00:00.000000Z", "triage", "closed"); /* 3283200 */
    status_at(f, g, "2026-09-10T00:00:00.000000Z", "closed", "triage");
    status_at(f, g, "2026-10-01T00:00:00.000000Z", "triage", "closed");
    json_t *s = stats(f);
    json_t *times = json_object_get(s, "times");
    json_t *triage = json_object_get(times, "triage"), *close = json_object_get(times, "close");
    /* 1800, 3600, 3600, 7200, 14400: odd, the middle one */
    assert_int_equal(num(triage, "count", NULL), 5);
    assert_true(json_real_value(json_object_get(triage, "median_seconds")) == 3600.0);
    /* 172800, 3283200: even, their mean */
    assert_int_equal(num(close, "count", NULL), 2);
    assert_true(json_real_value(json_object_get(close, "median_seconds")) == 1728000.0);
    json_decref(s);
    /* one more closing in the window (3599 s): odd again, 3599, 172800, 3283200 */
    status_at(f, e, "2026-12-06T11:59:59.000000Z", "triage", "closed");
    s = stats(f);
    close = json_object_get(json_object_get(s, "times"), "close");
    assert_int_equal(num(close, "count", NULL), 3);
    assert_true(json_real_value(json_object_get(close, "median_seconds")) == 172800.0);
    json_decref(s);
}

static void top_indicators_and_findings(void **state)
{
    struct fixture *f = *state;
    exec_on(f->path,
            "INSERT INTO indicator(id, type, value, tlp, created, updated) VALUES "
            "(1, 'domain-name', 'b.example', 'green', 'x', 'x'),"
            "(2, 'domain-name', 'a.example', 'amber', 'x', 'x'),"
            "(3, 'ipv4-addr', '192.0.2.1', 'red', 'x', 'x'),"
            "(4, 'ipv4-addr', '192.0.2.99', 'red', 'x', 'x');"
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9) "
            "INSERT INTO indicator(id, type, value, tlp, created, updated) "
            "SELECT 10 + i, 'url', 'http://x.example/' || i, 'clear', 'x', 'x' FROM n;"
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) "
            "INSERT INTO sighting(indicator_id, seen, value, created) "
            "SELECT 3, 's', 'v', 'c' FROM n UNION ALL SELECT 1, 's', 'v', 'c' FROM n WHERE i <= 3 "
            "UNION ALL SELECT 2, 's', 'v', 'c' FROM n WHERE i <= 3;"
            "INSERT INTO sighting(indicator_id, seen, value, created) "
            "SELECT id, 's', 'v', 'c' FROM indicator WHERE type = 'url';"
            /* as the store records them: each sighting counted in its alert; indicator 3's
             * over two days */
            "INSERT INTO alert(indicator_id, day, first_seen, last_seen, count, created) "
            "SELECT indicator_id, '2026-12-0' || (1 + (indicator_id = 3 AND id % 2)), 's', "
            "'s', count(*), 'c' FROM sighting GROUP BY indicator_id, "
            "1 + (indicator_id = 3 AND id % 2);");
    exec_on(f->path, "INSERT INTO org(id, name, kind, sector, created, updated) "
                     "VALUES (1, 'o', 'ministry', 'energy', 'x', 'x');"
                     "INSERT INTO asset(id, cpe) VALUES (1, 'cpe:2.3:a:v:p:1:*:*:*:*:*:*:*');"
                     "INSERT INTO finding(org_id, asset_id, key, first_seen) VALUES "
                     "(1, 1, 1, 'x'), (1, 1, 2, 'x'), (1, 1, 3, 'x'), (1, 1, 4, 'x'), "
                     "(1, 1, 5, 'x');"
                     "INSERT INTO kev(key, date_added) VALUES (1, 'x'), (2, 'x');"
                     "INSERT INTO epss(key, score, percentile) VALUES (2, 0.5, 0.9), "
                     "(3, 0.1, 0.8), (4, 0.09, 0.7);");
    json_t *s = stats(f);
    json_t *top = json_object_get(s, "top_indicators");
    assert_int_equal(json_array_size(top), 10);
    const char *expect[] = {"192.0.2.1", "a.example", "b.example", "http://x.example/0",
                            "http://x.example/1"};
    const json_int_t count[] = {5, 3, 3, 1, 1};
    for (size_t i = 0; i < 5; i++) {
        json_t *t = json_array_get(top, i);
        assert_string_equal(json_string_value(json_object_get(t, "value")), expect[i]);
        assert_int_equal(num(t, "sightings", NULL), count[i]);
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(top, 0), "type")),
                        "ipv4-addr");
    assert_string_equal(json_string_value(json_object_get(json_array_get(top, 0), "tlp")), "red");
    assert_string_equal(json_string_value(json_object_get(json_array_get(top, 9), "value")),
                        "http://x.example/6");
    json_t *fd = json_object_get(s, "findings");
    assert_int_equal(num(fd, "total", NULL), 5);
    json_t *by = json_object_get(fd, "by_priority");
    const json_int_t tiers[] = {2, 1, 2};
    const char *names[] = {"kev", "epss", "other"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(num(json_array_get(by, i), "priority", NULL), (json_int_t)i);
        assert_string_equal(json_string_value(json_object_get(json_array_get(by, i), "name")),
                            names[i]);
        assert_int_equal(num(json_array_get(by, i), "count", NULL), tiers[i]);
    }
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(no_data_at_all, setup, teardown),
        cmocka_unit_test_setup_teardown(incidents_by_week_and_severity, setup, teardown),
        cmocka_unit_test_setup_teardown(medians_odd_even_and_window, setup, teardown),
        cmocka_unit_test_setup_teardown(top_indicators_and_findings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
