/* The reports domain (store/report.h: the intake's queue of held reports) on both backends
 * (issue 16): one test body run on SQLite and on PostgreSQL (pg_fixture.h), the cap kept with
 * several connections adding at once, and one random sequence of writes run on both whose
 * reads must be equal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <time.h>

#include "store/pg_int.h"
#include "store/store.h"
#include "pg_fixture.h"
#include "pg_two.h"

static json_t *report_n(int n)
{
    return json_pack("{s:s,s:s,s:i,s:[s,s],s:{s:b}}", "title", "phishing é ✓", "reporter_email",
                     "r@example.org", "n", n, "observables", "192.0.2.1", "evil.example", "x",
                     "flag", n % 2);
}

static long long queue_len(struct vg_store *st)
{
    struct vg_page pg = {.limit = 100};
    json_t *page = NULL;
    struct vg_diag d = {0};
    assert_int_equal(vg_store_queue_list(st, &pg, &page, &d), 0);
    long long n = (long long)json_array_size(json_object_get(page, "items"));
    json_decref(page);
    return n;
}

/* ---- one body for both backends ---- */

static void reports_body(struct two *t)
{
    struct vg_store *a = t->a, *b = t->b;
    struct vg_diag d = {0};
    long long id[3];
    for (int i = 0; i < 3; i++) {
        json_t *r = report_n(i);
        assert_int_equal(vg_store_queue_add(a, r, i ? "198.51.100.7" : "192.0.2.1", 3, &id[i], &d),
                         0);
        json_decref(r);
        assert_true(i == 0 ? id[i] > 0 : id[i] > id[i - 1]);
    }
    /* the cap: the fourth refused, nothing written */
    json_t *r = report_n(9);
    memset(&d, 0, sizeof d);
    long long none = -1;
    assert_int_equal(vg_store_queue_add(a, r, "x", 3, &none, &d), VG_ETOOBIG);
    assert_int_equal(none, -1);
    assert_non_null(strstr(d.message, "full (3)"));
    assert_int_equal(queue_len(b), 3);
    /* max 0: always full */
    assert_int_equal(vg_store_queue_add(a, r, "x", 0, &none, &d), VG_ETOOBIG);

    /* oldest first, in pages, read through the other connection */
    struct vg_page pg = {.limit = 2};
    json_t *page = NULL;
    assert_int_equal(vg_store_queue_list(b, &pg, &page, &d), 0);
    json_t *items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *first = json_array_get(items, 0);
    assert_int_equal(json_integer_value(json_object_get(first, "id")), id[0]);
    assert_string_equal(json_string_value(json_object_get(first, "client")), "192.0.2.1");
    assert_true(strlen(json_string_value(json_object_get(first, "received"))) >= 20);
    json_t *want = report_n(0);
    assert_true(json_equal(json_object_get(first, "report"), want));
    json_decref(want);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "id")), id[1]);
    assert_int_equal(json_object_size(first), 4);
    char cursor[80];
    snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(page, "next_cursor")));
    json_decref(page);
    pg.cursor = cursor;
    assert_int_equal(vg_store_queue_list(b, &pg, &page, &d), 0);
    items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), id[2]);
    assert_true(json_is_null(json_object_get(page, "next_cursor")));
    json_decref(page);
    /* exactly a page: no next cursor */
    pg = (struct vg_page){.limit = 3};
    assert_int_equal(vg_store_queue_list(b, &pg, &page, &d), 0);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 3);
    assert_true(json_is_null(json_object_get(page, "next_cursor")));
    json_decref(page);
    pg.cursor = "zz";
    assert_int_equal(vg_store_queue_list(b, &pg, &page, &d), VG_EINVAL);

    /* one by id, as listed */
    json_t *one = NULL;
    assert_int_equal(vg_store_queue_get(b, id[1], &one), 0);
    assert_int_equal(json_integer_value(json_object_get(one, "id")), id[1]);
    assert_string_equal(json_string_value(json_object_get(one, "client")), "198.51.100.7");
    want = report_n(1);
    assert_true(json_equal(json_object_get(one, "report"), want));
    json_decref(want);
    json_decref(one);
    assert_int_equal(vg_store_queue_get(b, id[2] + 1000, &one), VG_ENOENT);
    assert_int_equal(vg_store_queue_get(b, 0, &one), VG_ENOENT);

    /* removed through a, gone for b; twice: not there */
    assert_int_equal(vg_store_queue_remove(a, id[1], &d), 0);
    assert_int_equal(vg_store_queue_get(b, id[1], &one), VG_ENOENT);
    memset(&d, 0, sizeof d);
    assert_int_equal(vg_store_queue_remove(a, id[1], &d), VG_ENOENT);
    assert_string_equal(d.field, "id");
    assert_int_equal(queue_len(b), 2);
    /* room again: under the cap */
    long long id4 = 0;
    assert_int_equal(vg_store_queue_add(a, r, "x", 3, &id4, &d), 0);
    assert_true(id4 > id[0]);
    assert_int_equal(vg_store_queue_add(a, r, "x", 3, &none, &d), VG_ETOOBIG);

    /* inside the caller's transaction: undone with it, refused with it (the rest kept) */
    assert_int_equal(vg_store_queue_remove(a, id4, &d), 0);
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    assert_int_equal(vg_store_queue_add(a, r, "tx", 3, &id4, &d), 0);
    assert_int_equal(vg_store_queue_add(a, r, "tx", 3, &none, &d), VG_ETOOBIG);
    assert_int_equal(queue_len(a), 3); /* its own write seen in the transaction */
    vg_store_tx_rollback(a);
    assert_int_equal(queue_len(b), 2);
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    assert_int_equal(vg_store_queue_add(a, r, "tx", 3, &id4, &d), 0);
    assert_int_equal(vg_store_tx_commit(a, &d), 0);
    assert_int_equal(vg_store_queue_get(b, id4, &one), 0);
    assert_string_equal(json_string_value(json_object_get(one, "client")), "tx");
    json_decref(one);
    json_decref(r);
}

static void reports_on_sqlite(void **state)
{
    (void)state;
    struct two t;
    open_sqlite(&t);
    reports_body(&t);
    close_two(&t);
}

static void reports_on_pg(void **state)
{
    (void)state;
    struct two t;
    open_pg(&t);
    reports_body(&t);
    /* stored as JSON text PostgreSQL itself reads, seen by a connection of another process */
    PGconn *c = t.raw;
    pg_on(c, "SELECT report::jsonb FROM report_queue");
    assert_int_equal(pg_scalar_on(c, "SELECT count(*) FROM report_queue "
                                     "WHERE (report::jsonb)->>'title' = 'phishing é ✓'"),
                     3);
    close_two(&t);
}

/* ---- the cap with several servers adding at once (PostgreSQL) ---- */

#define ADDERS    6
#define ADD_TRIES 12
#define RACE_CAP  40

static pthread_barrier_t race_start; /* all connected, then all add at once */

struct adder {
    const char *uri;
    int added, full, other;
};

static void *adder_run(void *arg)
{
    struct adder *ad = arg;
    struct vg_diag d = {0};
    struct vg_store *st = vg_store_open_partial(ad->uri, NULL, &d);
    pthread_barrier_wait(&race_start);
    if (!st) {
        ad->other = ADD_TRIES;
        return NULL;
    }
    json_t *r = report_n(1);
    for (int i = 0; i < ADD_TRIES; i++) {
        long long id;
        int rc = vg_store_queue_add(st, r, "race", RACE_CAP, &id, &d);
        if (rc == 0)
            ad->added++;
        else if (rc == VG_ETOOBIG)
            ad->full++;
        else
            ad->other++;
    }
    json_decref(r);
    vg_store_close(st);
    return NULL;
}

static void cap_holds_across_servers(void **state)
{
    (void)state;
    struct two t;
    open_pg(&t);
    pthread_t th[ADDERS];
    struct adder ad[ADDERS];
    assert_int_equal(pthread_barrier_init(&race_start, NULL, ADDERS), 0);
    for (int i = 0; i < ADDERS; i++) {
        ad[i] = (struct adder){.uri = t.path};
        assert_int_equal(pthread_create(&th[i], NULL, adder_run, &ad[i]), 0);
    }
    int added = 0, full = 0, other = 0;
    for (int i = 0; i < ADDERS; i++) {
        pthread_join(th[i], NULL);
        added += ad[i].added;
        full += ad[i].full;
        other += ad[i].other;
    }
    pthread_barrier_destroy(&race_start);
    assert_int_equal(other, 0);
    assert_int_equal(added, RACE_CAP);
    assert_int_equal(full, ADDERS * ADD_TRIES - RACE_CAP);
    assert_int_equal(queue_len(t.a), RACE_CAP);
    close_two(&t);
}

/* ---- the same random writes on both: the same reads ---- */

/* The reads without what may differ: "received" (the clock) and the ids (SQLite gives the
 * newest row's id again after it was removed, PostgreSQL never reuses one); the order of the
 * items (oldest first) must be the same. */
static json_t *reads_of(struct vg_store *st, int limit)
{
    json_t *all = json_array();
    struct vg_page pg = {.limit = limit};
    char cursor[80] = "";
    struct vg_diag d = {0};
    for (;;) {
        json_t *page = NULL;
        pg.cursor = cursor[0] ? cursor : NULL;
        assert_int_equal(vg_store_queue_list(st, &pg, &page, &d), 0);
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(page, "items"), i, it) {
            json_t *one = NULL;
            long long id = json_integer_value(json_object_get(it, "id"));
            assert_int_equal(vg_store_queue_get(st, id, &one), 0);
            assert_true(json_equal(one, it));
            json_decref(one);
            json_t *c = json_deep_copy(it);
            json_object_del(c, "received");
            json_object_del(c, "id");
            json_array_append_new(all, c);
        }
        const char *next = json_string_value(json_object_get(page, "next_cursor"));
        if (next)
            snprintf(cursor, sizeof cursor, "%s", next);
        json_decref(page);
        if (!next)
            break;
    }
    return all;
}

static void random_same_reads(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    const char *env = getenv("VIGIE_TEST_SEED");
    if (env)
        seed = (unsigned)strtoul(env, NULL, 10);
    printf("random_same_reads: seed %u (VIGIE_TEST_SEED=%u to replay)\n", seed, seed);
    struct two s, p;
    open_sqlite(&s);
    open_pg(&p);
    /* positions in the queue, the same on both: ids[k] on each backend */
    long long ids_s[64], ids_p[64];
    int n = 0;
    struct vg_diag d = {0};
    for (int step = 0; step < 200; step++) {
        int op = rand_r(&seed) % 3, max = 1 + rand_r(&seed) % 40;
        if (op < 2) {
            json_t *r = report_n(rand_r(&seed) % 1000);
            char client[32];
            snprintf(client, sizeof client, "203.0.113.%d", rand_r(&seed) % 256);
            long long is = 0, ip = 0;
            int rs = vg_store_queue_add(s.a, r, client, max, &is, &d);
            int rp = vg_store_queue_add(p.a, r, client, max, &ip, &d);
            json_decref(r);
            assert_int_equal(rs, rp);
            if (rs == 0) {
                assert_true(n < 64);
                ids_s[n] = is;
                ids_p[n] = ip;
                n++;
            } else {
                assert_int_equal(rs, VG_ETOOBIG);
                assert_true(n >= max);
            }
        } else if (n > 0) {
            int k = rand_r(&seed) % n;
            assert_int_equal(vg_store_queue_remove(s.a, ids_s[k], &d), 0);
            assert_int_equal(vg_store_queue_remove(p.a, ids_p[k], &d), 0);
            memmove(ids_s + k, ids_s + k + 1, (size_t)(n - k - 1) * sizeof *ids_s);
            memmove(ids_p + k, ids_p + k + 1, (size_t)(n - k - 1) * sizeof *ids_p);
            n--;
        }
        if (step % 50 == 49) {
            int limit = 1 + rand_r(&seed) % 7;
            json_t *rs = reads_of(s.b, limit), *rp = reads_of(p.b, limit);
            assert_int_equal(json_array_size(rs), (size_t)n);
            if (!json_equal(rs, rp)) {
                char *a = json_dumps(rs, 0), *b = json_dumps(rp, 0);
                fail_msg("seed %u step %d: SQLite %s, PostgreSQL %s", seed, step, a, b);
            }
            json_decref(rs);
            json_decref(rp);
        }
    }
    close_two(&s);
    close_two(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reports_on_sqlite),
        cmocka_unit_test(reports_on_pg),
        cmocka_unit_test(cap_holds_across_servers),
        cmocka_unit_test(random_same_reads),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
