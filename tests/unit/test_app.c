/* Unit tests of src/app (the use cases) against a real SQLite file in a temporary folder:
 * the intake flow, organisation writes, events into sightings, logins and users. */
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

#include "app/auth.h"
#include "app/events.h"
#include "app/indicators.h"
#include "app/intake.h"
#include "app/org.h"
#include "core/attrib.h"
#include "store/store.h"

#include "store_fixture.h"

/* One integer from SQL over the fixture's file, through a connection of its own. */
static long long count(const struct fixture *f, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    long long n = -1;
    if (sqlite3_open(f->path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

static long long make_org(struct fixture *f, const char *body)
{
    json_t *in = json_loads(body, 0, NULL), *out = NULL;
    struct vg_diag d, warn;
    vg_diag_clear(&d);
    assert_int_equal(vg_org_create(f->st, &who, in, &out, &d, &warn), 0);
    assert_string_equal(warn.message, "");
    long long id = (long long)json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(in);
    return id;
}

static int report(struct fixture *f, const char *email, const char *kind,
                  struct vg_intake_result *res, struct vg_diag *d)
{
    json_t *in = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:s,s:s}", "reporter", "name", "R", "email",
                           email, "organisation", "name", "Declared", "kind", kind, "title", "t",
                           "description", "d");
    int rc = vg_intake_report(f->st, in, "192.0.2.1", res, d);
    json_decref(in);
    return rc;
}

/* A recognised constituent gets an incident by its own kind, whatever it declares; a
 * stranger by the declared kind (unverified) or is redirected; every report is logged, a bad
 * one is refused and not logged. */
static void intake_decides_creates_and_logs(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    struct vg_intake_result res;
    make_org(f, "{\"name\":\"Min\",\"kind\":\"ministry\",\"sector\":\"government\","
                "\"assets\":{\"domains\":[\"min.example\"]}}");
    assert_int_equal(report(f, "a@dept.min.example", "individual", &res, &d), 0);
    assert_true(res.accepted);
    assert_true(res.unverified); /* the e-mail domain is a claim nobody checked */
    assert_true(res.org_id > 0);
    assert_true(strncmp(res.ref, "VIG-", 4) == 0);
    assert_int_equal(report(f, "b@elsewhere.example", "oiv", &res, &d), 0);
    assert_true(res.accepted);
    assert_true(res.unverified);
    assert_int_equal(report(f, "c@elsewhere.example", "individual", &res, &d), 0);
    assert_false(res.accepted);
    assert_string_equal(res.ref, "");
    assert_int_equal(report(f, "not an address", "individual", &res, &d), VG_EINVAL);
    assert_string_equal(d.field, "/reporter/email");
    assert_int_equal(count(f, "SELECT count(*) FROM incident"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM intake"), 3);
    assert_int_equal(count(f, "SELECT count(*) FROM intake WHERE decision = 'redirect' "
                              "AND incident_ref IS NULL AND client = '192.0.2.1'"),
                     1);
}

/* An update reads the organisation first only for an asset change; a missing one is
 * VG_ENOENT; an empty patch is refused. */
static void org_update_checks(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d, warn;
    long long id = make_org(f, "{\"name\":\"Agency\",\"kind\":\"public-agency\","
                               "\"sector\":\"government\"}");
    json_t *in = json_pack("{s:{s:[s]}}", "assets", "domains", "agency.example"), *out = NULL;
    assert_int_equal(vg_org_update(f->st, &who, id, in, &out, &d, &warn), 0);
    assert_string_equal(warn.message, "");
    json_decref(out);
    assert_int_equal(vg_org_update(f->st, &who, id + 100, in, &out, &d, &warn), VG_ENOENT);
    assert_string_equal(d.field, "id");
    json_decref(in);
    in = json_object();
    assert_int_equal(vg_org_update(f->st, &who, id, in, &out, &d, &warn), VG_EINVAL);
    json_decref(in);
}

static void on_bad(void *ctx, uint64_t line, const char *message)
{
    (void)line;
    (void)message;
    (*(int *)ctx)++;
}

/* The kept index is rebuilt only when the indicators change; hits of an indicator the
 * database does not hold are counted, not recorded; alerts are counted once across
 * batches. */
static void events_recorded_once_per_hit(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    json_t *inds = json_pack("[{s:s,s:s}]", "type", "domain-name", "value", "evil.example"),
           *out = NULL;
    assert_int_equal(vg_store_indicator_import(f->st, &who, inds, &out, &d), 0);
    json_decref(out);
    json_decref(inds);
    struct vg_events_index ei = {0};
    const struct vg_match_index *a =
        vg_events_index_current(&ei, f->st, "2026-11-29T00:00:00Z", &d);
    assert_non_null(a);
    assert_ptr_equal(vg_events_index_current(&ei, f->st, "2026-11-29T00:00:00Z", &d), a);

    /* an index of the database's indicator and one from a file (no id) */
    struct vg_match_index *idx = vg_match_index_new();
    assert_int_equal(vg_events_load(f->st, "2026-11-29T00:00:00Z", idx, &d), 0);
    assert_int_equal(vg_match_index_add(idx, VG_MATCH_DOMAIN, vg_str_c("file.example"),
                                        vg_str_c(""), 0, &d),
                     0);
    vg_match_index_freeze(idx);
    static const char log[] = "{\"timestamp\":\"2026-11-28T10:00:00Z\",\"dns\":{\"rrname\":"
                              "\"a.evil.example\"}}\n"
                              "{bad\n"
                              "{\"timestamp\":\"2026-11-28T11:00:00Z\",\"dns\":{\"rrname\":"
                              "\"file.example\"}}\n"
                              "{\"timestamp\":\"2026-11-28T12:00:00Z\",\"dns\":{\"rrname\":"
                              "\"b.evil.example\"}}\n"
                              "{\"timestamp\":\"2026-11-29T01:00:00Z\",\"dns\":{\"rrname\":"
                              "\"evil.example\"}}\n";
    int bad = 0;
    struct vg_match_sink also = {NULL, on_bad, &bad};
    struct vg_events_recorder *rec = vg_events_recorder_new(f->st, &who, idx, NULL, 1, &also);
    assert_non_null(rec);
    struct vg_match_scan_opts opts = {VG_MATCH_FORMAT_EVE, 1, 0};
    struct vg_match_stats st = {0};
    assert_int_equal(vg_events_record(rec, &opts, log, sizeof log - 1, "eve.json", &st, &d), 0);
    struct vg_events_counts n = vg_events_recorder_counts(rec);
    assert_int_equal(n.sightings, 3);
    assert_int_equal(n.alerts, 2); /* one per day */
    assert_int_equal(n.unrecorded, 1);
    assert_int_equal(bad, 1);
    assert_int_equal(st.hits, 4);
    vg_events_recorder_free(rec);
    vg_match_index_free(idx);
    assert_int_equal(count(f, "SELECT count(*) FROM sighting WHERE source = 'eve.json:4'"), 1);

    /* a change of the indicators: a new index */
    inds = json_pack("[{s:s,s:s}]", "type", "domain-name", "value", "other.example");
    assert_int_equal(vg_store_indicator_import(f->st, &who, inds, &out, &d), 0);
    json_decref(out);
    json_decref(inds);
    const struct vg_match_index *b =
        vg_events_index_current(&ei, f->st, "2026-11-29T00:00:00Z", &d);
    assert_non_null(b);
    assert_int_equal(vg_match_index_count(b), 2);
    vg_events_index_cleanup(&ei);
}

/* A login works with the right password only; unknown user, wrong password and disabled
 * user get the same answer; a user is created once. */
static void logins_and_users(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long id, tid;
    char tok[VG_TOKEN_LEN + 1], role[16];
    assert_int_equal(vg_auth_init(), 0);
    assert_int_equal(vg_auth_user_create(f->st, "ana", "analyst", "correct horse battery", &id, &d),
                     0);
    assert_int_equal(vg_auth_user_create(f->st, "ana", "reader", NULL, &id, &d), VG_EEXIST);
    assert_string_equal(d.field, "/name");
    assert_int_equal(vg_auth_login(f->st, "ana", "correct horse battery", NULL, tok, &tid, role,
                                   sizeof role, &d),
                     0);
    assert_string_equal(role, "analyst");
    struct vg_actor a;
    assert_int_equal(vg_auth_token_check(f->st, tok, strlen(tok), &a, NULL), 0);
    assert_string_equal(a.name, "ana");
    assert_int_equal(vg_auth_login(f->st, "ana", "wrong horse battery", NULL, tok, &tid, role,
                                   sizeof role, &d),
                     VG_EPERM);
    assert_int_equal(vg_auth_login(f->st, "bob", "correct horse battery", NULL, tok, &tid, role,
                                   sizeof role, &d),
                     VG_EPERM);
    /* a user without a password cannot log in */
    assert_int_equal(vg_auth_user_create(f->st, "carl", "reader", NULL, &id, &d), 0);
    assert_int_equal(vg_auth_login(f->st, "carl", "", NULL, tok, &tid, role, sizeof role, &d),
                     VG_EPERM);
    assert_int_equal(vg_auth_user_token(f->st, "dora", "admin", "cli", tok, &d), 0);
    assert_int_equal(vg_auth_token_check(f->st, tok, strlen(tok), &a, NULL), 0);
    assert_string_equal(a.role, "admin");
    assert_int_equal(vg_auth_token_check(f->st, "vgt_x", 5, &a, NULL), VG_ENOENT);
}

static void count_error(void *ctx, const struct vg_diag *d)
{
    (void)d;
    (*(int *)ctx)++;
}

/* An indicator file is imported idempotently with the options given; an invalid line is
 * counted and shown, or (strict) stops the import; bad options are refused up front. */
static void indicator_files_import(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    static const char text[] = "# feed\ndomain-name evil.example\nsha256 zz\n"
                               "ipv4-addr 203.0.113.0/24\n";
    struct vg_indicators_options o = {"GREEN", NULL, 90, false};
    struct vg_indicators_counts c;
    int shown = 0;
    assert_int_equal(vg_indicators_options_check(&o, &d), 0);
    assert_int_equal(vg_indicators_import_text(f->st, &who, &o, "feed.txt", text, sizeof text - 1,
                                               count_error, &shown, &c, &d),
                     0);
    assert_int_equal(c.added, 2);
    assert_int_equal(c.rejected, 1);
    assert_int_equal(shown, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM indicator WHERE source = 'feed.txt' AND "
                              "tlp = 'GREEN' AND confidence = 90"),
                     2);
    assert_int_equal(vg_indicators_import_text(f->st, &who, &o, "feed.txt", text, sizeof text - 1,
                                               NULL, NULL, &c, &d),
                     0);
    assert_int_equal(c.added, 0);
    assert_int_equal(c.unchanged, 2);
    o.strict = true;
    static const char bad[] = "domain-name new.example\nsha256 zz\n";
    assert_int_equal(vg_indicators_import_text(f->st, &who, &o, "bad.txt", bad, sizeof bad - 1,
                                               NULL, NULL, &c, &d),
                     VG_EINVAL);
    assert_int_equal(count(f, "SELECT count(*) FROM indicator WHERE value = 'new.example'"), 0);
    o.tlp = "PURPLE";
    assert_int_equal(vg_indicators_options_check(&o, &d), VG_EINVAL);
    assert_string_equal(d.field, "/tlp");
}

/* An import given in pieces (as the CLI reads a pipe): line numbers and the CSV header carry
 * from one piece to the next, a line its reader could not keep counts as rejected with its
 * number, and nothing is stored before the end (one chunk) or when freed without it. */
static void indicator_import_in_pieces(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_indicators_options o = {NULL, NULL, -1, false};
    int shown = 0;
    struct vg_indicators_import *im =
        vg_indicators_import_new(f->st, &who, &o, "pipe", count_error, &shown);
    assert_non_null(im);
    static const char p1[] = "type,value\ndomain-name,a.example\n";
    static const char p2[] = "ipv4-addr,192.0.2.1\n";
    assert_int_equal(vg_indicators_import_feed(im, p1, sizeof p1 - 1, &d), 0);
    assert_int_equal(vg_indicators_import_long_line(im, &d), 0); /* line 3 */
    assert_int_equal(vg_indicators_import_feed(im, p2, sizeof p2 - 1, &d), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM indicator WHERE source = 'pipe'"), 0);
    assert_int_equal(vg_indicators_import_end(im, &d), 0);
    struct vg_indicators_counts c = vg_indicators_import_counts(im);
    vg_indicators_import_free(im);
    assert_int_equal(c.added, 2);
    assert_int_equal(c.rejected, 1);
    assert_int_equal(shown, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM indicator WHERE source = 'pipe'"), 2);
    /* strict: the long line stops it, with its number */
    o.strict = true;
    im = vg_indicators_import_new(f->st, &who, &o, "pipe2", NULL, NULL);
    assert_non_null(im);
    static const char p3[] = "ipv4-addr 192.0.2.9\n";
    assert_int_equal(vg_indicators_import_feed(im, p3, sizeof p3 - 1, &d), 0);
    assert_int_equal(vg_indicators_import_long_line(im, &d), VG_EINVAL);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.message, "line longer than"));
    vg_indicators_import_free(im); /* without _end: the pending chunk is dropped */
    assert_int_equal(count(f, "SELECT count(*) FROM indicator WHERE source = 'pipe2'"), 0);
    vg_indicators_import_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(intake_decides_creates_and_logs, setup, teardown),
        cmocka_unit_test_setup_teardown(org_update_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(events_recorded_once_per_hit, setup, teardown),
        cmocka_unit_test_setup_teardown(logins_and_users, setup, teardown),
        cmocka_unit_test_setup_teardown(indicator_files_import, setup, teardown),
        cmocka_unit_test_setup_teardown(indicator_import_in_pieces, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
