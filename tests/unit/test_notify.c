/* Unit tests of the periodic notifications by mail (app/notify.h) against a real SQLite store:
 * a digest is taken if and only if its mail is queued, an alert is marked handled if and only
 * if its organisation's mail is queued (or the gate refused it), under allocation failures at
 * every step (util/mem.h's hook); alerts without an organisation are never touched; a second
 * round does nothing; the digests' period. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/notify.h"
#include "app/org.h"
#include "app/watch.h"
#include "store/schema.h"
#include "store_fixture.h"
#include "util/mem.h"
#include "util/time.h"

#define VULNDB "tests/data/vulndb/"

/* Organisation 1 with products, a French and an English contact and one refusing everything;
 * the watch's findings of nvd-a; three alerts of organisation 1 (one of a TLP:RED indicator)
 * and one without organisation. */
static void seed(struct fixture *f)
{
    struct vg_diag d, warn;
    json_t *org = json_pack(
        "{s:s,s:s,s:s,s:{s:[],s:[],s:[s,s]},s:[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:[s,s]}]}",
        "name", "Ministry A", "kind", "ministry", "sector", "government", "assets", "cidrs",
        "domains", "products", "cpe:2.3:a:apache:http_server:2.4.41:*:*:*:*:*:*:*",
        "cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*", "contacts", "name", "Fr", "email",
        "fr@a.example", "lang", "fr", "name", "En", "email", "en@a.example", "lang", "en", "name",
        "Out", "email", "out@a.example", "optout", "digest", "alert");
    json_t *out = NULL;
    assert_int_equal(vg_org_create(f->st, &who, org, &out, &d, &warn), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "id")), 1);
    json_decref(out);
    json_decref(org);
    char *paths[] = {VULNDB "nvd-a.json", VULNDB "kev.json"};
    struct vg_watch_opts o = {0};
    struct vg_watch_stats s = {0};
    assert_int_equal(vg_watch_import(f->st, paths, 2, &o, &s, &d), 0);
    assert_true(scalar_on(f->path, "SELECT count(*) FROM finding WHERE org_id = 1") >= 2);
    exec_on(f->path,
            "INSERT INTO indicator(id, type, value, tlp, created, updated) VALUES "
            "(1, 'ipv4-addr', '198.51.100.7', 'AMBER', 'x', 'x'),"
            "(2, 'domain-name', 'evil.example', 'GREEN', 'x', 'x'),"
            "(3, 'domain-name', 'red.example', 'RED', 'x', 'x');"
            "INSERT INTO alert(indicator_id, org_id, day, first_seen, last_seen, count, created) "
            "VALUES (1, 1, '2026-11-20', '2026-11-20T10:00:00Z', '2026-11-20T11:00:00Z', 2, 'x'),"
            "(2, 1, '2026-11-20', '2026-11-20T12:00:00Z', '2026-11-20T12:00:00Z', 1, 'x'),"
            "(3, 1, '2026-11-20', '2026-11-20T13:00:00Z', '2026-11-20T13:00:00Z', 1, 'x'),"
            "(1, NULL, '2026-11-20', '2026-11-20T14:00:00Z', '2026-11-20T14:00:00Z', 1, 'x');");
}

static long long count(struct fixture *f, const char *sql)
{
    return scalar_on(f->path, sql);
}

/* Either nothing of a part of the round, or all of it. */
static void check_all_or_nothing(struct fixture *f)
{
    long long taken = count(f, "SELECT count(*) FROM digest WHERE org_id = 1");
    long long dmail = count(f, "SELECT count(*) FROM outbox WHERE kind = 'digest'");
    assert_true((taken == 0 && dmail == 0) || (taken == 1 && dmail == 2));
    long long marked = count(f, "SELECT count(*) FROM alert WHERE mailed = 1");
    long long amail = count(f, "SELECT count(*) FROM outbox WHERE kind = 'alert'");
    assert_true((marked == 0 && amail == 0) || (marked == 3 && amail == 2));
    assert_int_equal(count(f, "SELECT count(*) FROM alert WHERE org_id IS NULL AND mailed = 1"), 0);
}

static void round_all_or_nothing_under_failures(void **state)
{
    struct fixture *f = *state;
    seed(f);
    long n;
    for (n = 1; n < 100000; n++) {
        struct vg_diag d;
        vg_diag_clear(&d);
        struct vg_notify_counts c;
        vg_mem_fail_after(n);
        int rc = vg_notify_round(f->st, time(NULL), &c, &d);
        long failed = vg_mem_failed();
        vg_mem_fail_after(0);
        check_all_or_nothing(f);
        if (rc && d.message[0] == '\0')
            fail_msg("allocation %ld: error %d without a message (%ld %ld %ld %ld) [%s]", n, rc,
                     c.digests, c.alerts, c.alerts_held, c.messages, d.field);
        if (!failed) {
            assert_int_equal(rc, 0);
            break;
        }
    }
    assert_true(n > 1); /* the round did allocate: failures were injected */
    assert_int_equal(count(f, "SELECT count(*) FROM digest WHERE org_id = 1"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM alert WHERE mailed = 1"), 3);
    /* one message per language group, the contact refusing both kinds on none */
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'digest' AND "
                              "recipients IN ('[\"fr@a.example\"]', '[\"en@a.example\"]')"),
                     2);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE recipients LIKE '%out@%'"), 0);
    /* the RED indicator's value is in no message */
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE body_text LIKE '%red[.]ex%' OR "
                              "body_html LIKE '%red[.]ex%' OR body_text LIKE '%red.ex%'"),
                     0);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'alert' AND body_text "
                              "LIKE '%198.51.100[.]7%' AND body_text LIKE '%evil[.]example%'"),
                     2);
    /* the message is under the highest TLP of the indicators it lists (AMBER and GREEN) */
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'alert' AND "
                              "subject LIKE 'TLP:AMBER %' AND body_text LIKE 'TLP:AMBER%'"),
                     2);
    /* a second round finds nothing to do */
    struct vg_diag d;
    struct vg_notify_counts c;
    assert_int_equal(vg_notify_round(f->st, time(NULL), &c, &d), 0);
    assert_int_equal(c.digests + c.alerts + c.alerts_held + c.messages, 0);
}

static void digest_period(void **state)
{
    struct fixture *f = *state;
    seed(f);
    struct vg_diag d;
    struct vg_notify_counts c;
    assert_int_equal(setenv("VIGIE_DIGEST_HOURS", "2", 1), 0);
    time_t now = time(NULL);
    assert_int_equal(vg_notify_round(f->st, now, &c, &d), 0);
    assert_int_equal(c.digests, 1);
    assert_int_equal(c.alerts, 2);
    assert_int_equal(c.alerts_held, 1);
    assert_int_equal(c.messages, 4);
    /* a finding newer than the digest: due only once the period has passed */
    exec_on(f->path, "UPDATE digest SET last_id = last_id - 1, at = '2026-12-01T08:00:00.250000Z'");
    time_t at;
    assert_int_equal(vg_time_parse("2026-12-01T08:00:00Z", &at), 0);
    assert_int_equal(vg_notify_round(f->st, at + 2 * 3600 - 1, &c, &d), 0);
    assert_int_equal(c.digests, 0);
    assert_int_equal(vg_notify_round(f->st, at + 2 * 3600, &c, &d), 0); /* exactly the period */
    assert_int_equal(c.digests, 1);
    assert_int_equal(c.messages, 2);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'digest'"), 4);
    /* a bad period is refused, naming the variable */
    assert_int_equal(setenv("VIGIE_DIGEST_HOURS", "8761", 1), 0);
    assert_int_equal(vg_notify_round(f->st, now, &c, &d), VG_EINVAL);
    assert_non_null(strstr(d.message, "VIGIE_DIGEST_HOURS"));
    long long s;
    assert_int_equal(setenv("VIGIE_DIGEST_HOURS", "0", 1), 0);
    assert_int_equal(vg_notify_digest_period(&s, &d), 0);
    assert_int_equal(s, 0);
    assert_int_equal(unsetenv("VIGIE_DIGEST_HOURS"), 0);
    assert_int_equal(vg_notify_digest_period(&s, &d), 0);
    assert_int_equal(s, 24 * 3600);
}

/* Migration 020: the alerts of an older database count as handled (no flood of stale alerts at
 * the first round); a new alert is not. */
static void migration_marks_old_alerts_handled(void **state)
{
    struct fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/v19.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (const struct vg_migration *m = vg_schema_migrations; m->version && m->version < 20; m++)
        assert_int_equal(sqlite3_exec(db, m->sql, NULL, NULL, NULL), SQLITE_OK);
    static const char sql[] =
        "PRAGMA user_version = 19;"
        "INSERT INTO org(id, name, kind, sector, created, updated) VALUES "
        "(1, 'A', 'ministry', 'government', 'x', 'x');"
        "INSERT INTO indicator(id, type, value, tlp, created, updated) VALUES "
        "(1, 'ipv4-addr', '198.51.100.7', 'AMBER', 'x', 'x');"
        "INSERT INTO alert(indicator_id, org_id, day, first_seen, last_seen, count, created) "
        "VALUES (1, 1, '2026-11-20', 'x', 'x', 1, 'x'), (1, NULL, '2026-11-20', 'x', 'x', 1, 'x')";
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s", err);
    sqlite3_close(db);
    struct vg_diag d;
    struct vg_store *st = vg_store_open(path, NULL, &d);
    assert_non_null(st);
    assert_int_equal(scalar_on(path, "SELECT count(*) FROM alert WHERE mailed = 1"), 2);
    exec_on(path, "INSERT INTO alert(indicator_id, org_id, day, first_seen, last_seen, count, "
                  "created) VALUES (1, 1, '2026-11-21', 'x', 'x', 1, 'x')");
    json_t *out = NULL;
    assert_int_equal(vg_store_notify_alerts_unmailed(st, 10, &out, &d), 0);
    assert_int_equal(json_array_size(out), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "day")),
                        "2026-11-21");
    json_decref(out);
    vg_store_close(st);
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[200];
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
}

/* One message lists at most VG_NOTIFY_ALERT_LIST alerts and counts the others; all are marked. */
static void alert_list_bounded(void **state)
{
    struct fixture *f = *state;
    seed(f);
    exec_on(f->path,
            "UPDATE alert SET mailed = 1;"
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 101) "
            "INSERT INTO indicator(id, type, value, tlp, created, updated) "
            "SELECT 100 + i, 'domain-name', 'd' || i || '.example', 'CLEAR', 'x', 'x' FROM n;"
            "INSERT INTO alert(indicator_id, org_id, day, first_seen, last_seen, count, created) "
            "SELECT id, 1, '2026-11-22', 'x', 'x', 1, 'x' FROM indicator WHERE id > 100");
    struct vg_diag d;
    struct vg_notify_counts c;
    assert_int_equal(vg_notify_round(f->st, time(NULL), &c, &d), 0);
    assert_int_equal(c.alerts, VG_NOTIFY_ALERT_LIST + 1);
    assert_int_equal(c.alerts_held, 0);
    assert_int_equal(count(f, "SELECT count(*) FROM alert WHERE mailed = 0 AND org_id = 1"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'alert' AND subject LIKE "
                              "'TLP:CLEAR Alerte de détection: 101 %' AND body_text LIKE "
                              "'%d100[.]example%' AND body_text NOT LIKE '%d101[.]example%' AND "
                              "body_text LIKE '%(+ 1 autre(s)%'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_all_or_nothing_under_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(digest_period, setup, teardown),
        cmocka_unit_test_setup_teardown(alert_list_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(migration_marks_old_alerts_handled, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
