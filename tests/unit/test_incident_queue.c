/* Unit tests of the incident list's orders, cursors and assignee filter (store/incident.h,
 * migration 015) and of the list's filters read from a query (app/incident.h), against a real
 * SQLite file. */
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

#include "app/incident.h"
#include "store/store.h"
#include "util/json.h"

#include "store_fixture.h"

#define N 23

static const char *const sevs[] = {"low", "medium", "high", "critical"};

static int rank(const char *sev)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(sevs[i], sev))
            return i;
    return -1;
}

/* N incidents: severities in turn, every third one assigned to "ann", every fifth to "bob",
 * the others to no one, and their "updated" times out of creation order. */
static void seed(struct fixture *f)
{
    for (int i = 1; i <= N; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"title\":\"t%d\",\"class\":\"malicious-code\",\"type\":\"infected-system\","
                 "\"severity\":\"%s\"}",
                 i, sevs[(i * 7) % 4]);
        json_t *in = json_loads(body, 0, NULL), *out = NULL;
        struct vg_diag d;
        vg_diag_clear(&d);
        assert_int_equal(vg_incident_create(f->st, &who, in, &out, &d), 0);
        json_decref(in);
        json_decref(out);
    }
    exec_on(f->path, "UPDATE incident SET assignee = 'ann' WHERE id % 3 = 0;"
                     "UPDATE incident SET assignee = 'bob' WHERE id % 5 = 0 AND id % 3 <> 0;"
                     "UPDATE incident SET updated = printf('2026-01-%02dT00:00:00Z', "
                     "1 + (id * 11) % 17);");
}

/* Every page of the list with filters f, limit 4: the items in order, each once. */
static json_t *all_pages(struct vg_store *st, json_t *f)
{
    json_t *all = json_array();
    char cursor[128] = "";
    for (int pages = 0; pages < 50; pages++) {
        struct vg_page p = {4, cursor[0] ? cursor : NULL};
        json_t *out = NULL;
        struct vg_diag d;
        vg_diag_clear(&d);
        int rc = vg_store_incident_list(st, f, &p, &out, &d);
        if (rc)
            fail_msg("list: %d %s", rc, d.message);
        assert_true(json_array_size(json_object_get(out, "items")) <= 4);
        json_array_extend(all, json_object_get(out, "items"));
        const char *next = vg_json_str(out, "next_cursor");
        if (next)
            snprintf(cursor, sizeof cursor, "%s", next);
        json_decref(out);
        if (!next)
            return all;
    }
    fail_msg("the pages did not end");
    return NULL;
}

static long long id_of(const json_t *inc)
{
    return atoll(strrchr(vg_json_str(inc, "ref"), '-') + 1); /* PREFIX-YEAR-NNNNNN */
}

/* Each order pages through every incident exactly once, in its order (ties by id, newest
 * first). */
static void orders_page_through_everything_once(void **state)
{
    struct fixture *f = *state;
    seed(f);
    static const char *const sorts[] = {NULL, "newest", "oldest", "updated", "severity"};
    for (size_t s = 0; s < sizeof sorts / sizeof *sorts; s++) {
        json_t *flt = json_object();
        if (sorts[s])
            json_object_set_new(flt, "sort", json_string(sorts[s]));
        json_t *all = all_pages(f->st, flt);
        assert_int_equal(json_array_size(all), N);
        bool seen[N + 1] = {0};
        for (size_t i = 0; i < N; i++) {
            const json_t *a = json_array_get(all, i);
            long long id = id_of(a);
            assert_true(id >= 1 && id <= N);
            assert_false(seen[id]);
            seen[id] = true;
            if (i == 0)
                continue;
            const json_t *b = json_array_get(all, i - 1);
            long long prev = id_of(b);
            const char *o = sorts[s] ? sorts[s] : "newest";
            if (!strcmp(o, "newest"))
                assert_true(prev > id);
            else if (!strcmp(o, "oldest"))
                assert_true(prev < id);
            else if (!strcmp(o, "updated")) {
                int c = strcmp(vg_json_str(b, "updated"), vg_json_str(a, "updated"));
                assert_true(c > 0 || (c == 0 && prev > id));
            } else {
                int rb = rank(vg_json_str(b, "severity")), ra = rank(vg_json_str(a, "severity"));
                assert_true(rb > ra || (rb == ra && prev > id));
            }
        }
        /* the first of "severity" is critical, the last low */
        if (sorts[s] && !strcmp(sorts[s], "severity")) {
            assert_string_equal(vg_json_str(json_array_get(all, 0), "severity"), "critical");
            assert_string_equal(vg_json_str(json_array_get(all, N - 1), "severity"), "low");
        }
        json_decref(all);
        json_decref(flt);
    }
}

/* assignee NAME keeps that user's incidents, null the unassigned ones; with a sort too. */
static void assignee_filter(void **state)
{
    struct fixture *f = *state;
    seed(f);
    json_t *flt = json_pack("{s:s,s:s}", "assignee", "ann", "sort", "updated");
    json_t *all = all_pages(f->st, flt);
    assert_int_equal(json_array_size(all), N / 3);
    size_t i;
    json_t *x;
    json_array_foreach(all, i, x) {
        assert_string_equal(vg_json_str(x, "assignee"), "ann");
        assert_int_equal(id_of(x) % 3, 0);
    }
    json_decref(all);
    json_decref(flt);
    flt = json_pack("{s:n}", "assignee");
    all = all_pages(f->st, flt);
    int expect = 0;
    for (int k = 1; k <= N; k++)
        expect += k % 3 != 0 && k % 5 != 0;
    assert_int_equal(json_array_size(all), expect);
    json_array_foreach(all, i, x)
        assert_true(json_is_null(json_object_get(x, "assignee")));
    json_decref(all);
    json_decref(flt);
}

/* A cursor is good only for the order it was given for; a malformed one is refused. */
static void cursors_belong_to_their_order(void **state)
{
    struct fixture *f = *state;
    seed(f);
    static const char *const bad[][2] = {
        {"newest", "o5"},    {"oldest", "c5"},      {"updated", "c5"},    {"updated", "u5"},
        {"updated", "u5."},  {"updated", "u.2026"}, {"updated", "u5.x'"}, {"severity", "s5"},
        {"severity", "s4a"}, {"severity", "s2"},    {"severity", "c5"},   {"oldest", "o0"},
        {"oldest", "o-1"},   {"newest", "c1g"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *flt = json_pack("{s:s}", "sort", bad[i][0]), *out = NULL;
        struct vg_page p = {4, bad[i][1]};
        struct vg_diag d;
        vg_diag_clear(&d);
        int rc = vg_store_incident_list(f->st, flt, &p, &out, &d);
        if (rc != VG_EINVAL)
            fail_msg("sort %s cursor %s: %d", bad[i][0], bad[i][1], rc);
        assert_string_equal(d.field, "cursor");
        assert_null(out);
        json_decref(flt);
    }
    json_t *flt = json_pack("{s:s}", "sort", "sideways"), *out = NULL;
    struct vg_page p = {4, NULL};
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_store_incident_list(f->st, flt, &p, &out, &d), VG_EINVAL);
    assert_string_equal(d.field, "sort");
    json_decref(flt);
}

/* The orders and the assignee filter are index ranges (migration 015), not scans. */
static void orders_use_their_index(void **state)
{
    struct fixture *f = *state;
    seed(f);
    static const char *const plans[][2] = {
        {"SELECT id FROM incident i WHERE i.updated <= 'x' AND (i.updated < 'x' OR i.id < 5) "
         "ORDER BY i.updated DESC, i.id DESC LIMIT 5",
         "incident_updated"},
        {"SELECT id FROM incident i WHERE (CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN "
         "2 WHEN 'medium' THEN 1 ELSE 0 END) <= 2 ORDER BY (CASE severity WHEN 'critical' THEN 3 "
         "WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END) DESC, i.id DESC LIMIT 5",
         "incident_severity_rank"},
        {"SELECT id FROM incident i WHERE i.assignee = 'ann' ORDER BY i.id DESC LIMIT 5",
         "incident_assignee"},
        {"SELECT id FROM incident i WHERE i.status = 'new' ORDER BY i.updated DESC, i.id DESC "
         "LIMIT 5",
         "incident_status_updated"},
        {"SELECT id FROM incident i WHERE i.assignee IS NULL ORDER BY (CASE severity WHEN "
         "'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END) DESC, i.id DESC "
         "LIMIT 5",
         "incident_assignee_severity"},
    };
    for (size_t i = 0; i < sizeof plans / sizeof *plans; i++) {
        sqlite3 *db;
        sqlite3_stmt *q;
        char sql[1024];
        snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", plans[i][0]);
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
        bool found = false;
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *detail = (const char *)sqlite3_column_text(q, 3);
            if (strstr(detail, plans[i][1]) && strstr(detail, "SEARCH"))
                found = true;
        }
        sqlite3_finalize(q);
        sqlite3_close(db);
        if (!found)
            fail_msg("no index search with %s", plans[i][1]);
    }
}

static const char *const *args_now;

static const char *arg_of(void *ctx, const char *name)
{
    (void)ctx;
    for (const char *const *a = args_now; *a; a += 2)
        if (!strcmp(a[0], name))
            return a[1];
    return NULL;
}

/* The query's filters: each checked with its field named; "none" is the unassigned. */
static void filters_from_a_query(void **state)
{
    (void)state;
    static const char *const good[] = {"status",   "triage", "class", "intrusions", "org",
                                       "7",        "tlp",    "RED",   "severity",   "high",
                                       "assignee", "none",   "sort",  "severity",   NULL};
    args_now = good;
    json_t *f = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_incident_filters(arg_of, NULL, &f, &d), 0);
    assert_string_equal(vg_json_str(f, "status"), "triage");
    assert_int_equal(json_integer_value(json_object_get(f, "org")), 7);
    assert_true(json_is_null(json_object_get(f, "assignee")));
    assert_string_equal(vg_json_str(f, "sort"), "severity");
    json_decref(f);
    static const char *const bad[][3] = {
        {"status", "done", "status"}, {"severity", "HIGH", "severity"},
        {"tlp", "amber", "tlp"},      {"class", "nope", "class"},
        {"org", "0", "org"},          {"org", "x", "org"},
        {"assignee", "", "assignee"}, {"sort", "random", "sort"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *one[] = {bad[i][0], bad[i][1], NULL};
        args_now = one;
        f = NULL;
        vg_diag_clear(&d);
        assert_int_equal(vg_incident_filters(arg_of, NULL, &f, &d), VG_EINVAL);
        assert_string_equal(d.field, bad[i][2]);
        assert_null(f);
    }
    const char *named[] = {"assignee", "ann", NULL};
    args_now = named;
    assert_int_equal(vg_incident_filters(arg_of, NULL, &f, &d), 0);
    assert_string_equal(vg_json_str(f, "assignee"), "ann");
    json_decref(f);
}

/* The rows vg_store_incident_each hands over, as the fields the list's documents carry. */
static int brief_json(void *ctx, const struct vg_incident_brief *b)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s,s:s}", "id", (json_int_t)b->id,
                  "ref", b->ref, "title", b->title, "class", b->cls, "type", b->type, "severity",
                  b->severity, "tlp", b->tlp, "status", b->status, "org_name", b->org_name,
                  "assignee", b->assignee, "created", b->created, "updated", b->updated);
    return json_array_append_new(ctx, o);
}

/* The two readings of one list (the API's documents, the console's structs) agree, page by
 * page, cursor by cursor, for random filters and orders. */
static void each_agrees_with_list(void **state)
{
    struct fixture *f = *state;
    seed(f);
    static const char *const sorts[] = {"newest", "oldest", "updated", "severity"};
    static const char *const keys[] = {"org",      "ref",      "title",   "class",
                                       "type",     "severity", "tlp",     "status",
                                       "org_name", "assignee", "created", "updated"};
    srand(14);
    for (int round = 0; round < 60; round++) {
        json_t *flt = json_pack("{s:s}", "sort", sorts[rand() % 4]);
        if (rand() % 3 == 0)
            json_object_set_new(flt, "severity", json_string(sevs[rand() % 4]));
        if (rand() % 3 == 0)
            json_object_set_new(flt, "assignee", rand() % 2 ? json_string("ann") : json_null());
        int limit = 1 + rand() % 6;
        char cursor[128] = "";
        for (int pages = 0; pages < 40; pages++) {
            struct vg_page p = {limit, cursor[0] ? cursor : NULL};
            json_t *doc = NULL, *rows = json_array();
            char next[80];
            struct vg_diag d;
            vg_diag_clear(&d);
            assert_int_equal(vg_store_incident_list(f->st, flt, &p, &doc, &d), 0);
            assert_int_equal(vg_store_incident_each(f->st, flt, &p, brief_json, rows, next, &d), 0);
            json_t *items = json_object_get(doc, "items");
            assert_int_equal(json_array_size(rows), json_array_size(items));
            for (size_t i = 0; i < json_array_size(items); i++)
                for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                    json_t *a = json_object_get(json_array_get(items, i), keys[k]);
                    json_t *b = json_object_get(json_array_get(rows, i), keys[k]);
                    if (!json_equal(a, b) && !(json_is_null(a) && !b))
                        fail_msg("round %d, row %zu: %s differs", round, i, keys[k]);
                }
            const char *want = vg_json_str(doc, "next_cursor");
            assert_string_equal(next, want ? want : "");
            snprintf(cursor, sizeof cursor, "%s", next);
            json_decref(doc);
            json_decref(rows);
            if (!cursor[0])
                break;
        }
        json_decref(flt);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(orders_page_through_everything_once, setup, teardown),
        cmocka_unit_test_setup_teardown(assignee_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(cursors_belong_to_their_order, setup, teardown),
        cmocka_unit_test_setup_teardown(orders_use_their_index, setup, teardown),
        cmocka_unit_test(filters_from_a_query),
        cmocka_unit_test_setup_teardown(each_agrees_with_list, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
