/* Inbound mail's store (store/inbound.h) on both backends (issue 16): one test body run on
 * SQLite and on PostgreSQL (pg_fixture.h's cluster), with bytes of every value (NUL included)
 * through bytea; and a seeded random sequence of messages stored on both, the reads compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <time.h>

#include "store/pg_int.h"
#include "store/store.h"
#include "pg_fixture.h"
#include "pg_both.h"

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "(none)";
}

static long long num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static const char hash_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char hash_b[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
static const char hash_c[] = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

static void inbound_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    unsigned char raw[512];
    for (int i = 0; i < 512; i++)
        raw[i] = (unsigned char)(i * 7); /* every byte value, NUL and high bytes included */
    unsigned char att1[300];
    for (int i = 0; i < 300; i++)
        att1[i] = (unsigned char)(255 - i);
    struct vg_inbound_att atts[2] = {
        {.name = "evil.zip",
         .media_type = "application/zip",
         .size = 300,
         .sha256 = hash_c,
         .is_archive = true,
         .data = att1},
        {.name = "", .media_type = "image/png", .size = 70000, .sha256 = hash_b, .data = NULL},
    };
    struct vg_inbound_new m = {.raw = raw,
                               .size = sizeof raw,
                               .sha256 = hash_a,
                               .message_id = "m1@example.org",
                               .sender = "rep@example.org",
                               .subject = "Phishing é",
                               .outcome = "report",
                               .ref = "VIG-2026-0001",
                               .att = atts,
                               .n_att = 2};
    long long id1 = 0, id2 = 0, id3 = 0, got = 0;
    assert_int_equal(vg_store_inbound_add(a, &m, &id1, &d), 0);
    assert_true(id1 > 0);

    /* the same bytes back, through another connection */
    unsigned char *data = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_inbound_raw(b, id1, &data, &len), 0);
    assert_int_equal(len, sizeof raw);
    assert_memory_equal(data, raw, sizeof raw);
    free(data);
    assert_int_equal(vg_store_inbound_raw(b, id1 + 100, &data, &len), VG_ENOENT);
    assert_null(data);
    assert_int_equal(be_scalar(be, "SELECT length(data) FROM inbound_attachment WHERE "
                                   "name = 'evil.zip'"),
                     300);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM inbound_attachment WHERE data IS NULL"),
                     1);

    /* one by one: with the attachments' list */
    json_t *o = NULL;
    assert_int_equal(vg_store_inbound_get(b, id1, &o), 0);
    assert_int_equal(num(o, "id"), id1);
    assert_string_equal(str(o, "message_id"), "m1@example.org");
    assert_string_equal(str(o, "sha256"), hash_a);
    assert_int_equal(num(o, "size"), 512);
    assert_string_equal(str(o, "sender"), "rep@example.org");
    assert_string_equal(str(o, "subject"), "Phishing é");
    assert_string_equal(str(o, "outcome"), "report");
    assert_string_equal(str(o, "reason"), "");
    assert_string_equal(str(o, "ref"), "VIG-2026-0001");
    assert_true(json_is_null(json_object_get(o, "queue_id")));
    assert_int_equal(strlen(str(o, "received")), 20); /* seconds: 2026-12-06T08:00:00Z */
    json_t *al = json_object_get(o, "attachments");
    assert_int_equal(json_array_size(al), 2);
    json_t *x = json_array_get(al, 0);
    assert_string_equal(str(x, "name"), "evil.zip");
    assert_string_equal(str(x, "media_type"), "application/zip");
    assert_int_equal(num(x, "size"), 300);
    assert_string_equal(str(x, "sha256"), hash_c);
    assert_true(json_is_true(json_object_get(x, "is_archive")));
    assert_true(json_is_true(json_object_get(x, "kept")));
    x = json_array_get(al, 1);
    assert_string_equal(str(x, "name"), "");
    assert_int_equal(num(x, "size"), 70000);
    assert_true(json_is_false(json_object_get(x, "is_archive")));
    assert_true(json_is_false(json_object_get(x, "kept")));
    assert_true(num(json_array_get(al, 0), "id") < num(json_array_get(al, 1), "id"));
    json_decref(o);
    assert_int_equal(vg_store_inbound_get(b, id1 + 100, &o), VG_ENOENT);
    assert_null(o);

    /* an empty message without Message-ID, queued */
    struct vg_inbound_new e = {.raw = NULL,
                               .size = 0,
                               .sha256 = hash_b,
                               .message_id = NULL,
                               .sender = NULL,
                               .subject = NULL,
                               .outcome = "queued",
                               .queue_id = 42};
    assert_int_equal(vg_store_inbound_add(a, &e, &id2, &d), 0);
    assert_true(id2 > id1);
    assert_int_equal(vg_store_inbound_raw(b, id2, &data, &len), 0);
    assert_non_null(data); /* never NULL on success */
    assert_int_equal(len, 0);
    free(data);
    assert_int_equal(vg_store_inbound_get(b, id2, &o), 0);
    assert_int_equal(num(o, "queue_id"), 42);
    assert_string_equal(str(o, "message_id"), "");
    assert_int_equal(json_array_size(json_object_get(o, "attachments")), 0);
    json_decref(o);

    /* refused before storing anything */
    struct vg_inbound_new bad = m;
    bad.outcome = "lost";
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_inbound_add(a, &bad, NULL, &d), VG_EINVAL);
    assert_string_equal(d.field, "outcome");
    bad.outcome = NULL;
    assert_int_equal(vg_store_inbound_add(a, &bad, NULL, &d), VG_EINVAL);
    bad = m;
    bad.sha256 = "abc";
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_inbound_add(a, &bad, NULL, &d), VG_EINVAL);
    assert_string_equal(d.field, "sha256");
    bad = m;
    bad.raw = NULL;
    assert_int_equal(vg_store_inbound_add(a, &bad, NULL, &d), VG_EINVAL);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM inbound"), 2);

    /* find: the first by Message-ID; without one, by the raw hash among those without one */
    struct vg_inbound_new dup = m;
    dup.outcome = "duplicate";
    dup.att = NULL;
    dup.n_att = 0;
    assert_int_equal(vg_store_inbound_add(a, &dup, &id3, &d), 0);
    assert_int_equal(vg_store_inbound_find(b, "m1@example.org", hash_c, &got), 0);
    assert_int_equal(got, id1);
    assert_int_equal(vg_store_inbound_find(b, "", hash_b, &got), 0);
    assert_int_equal(got, id2);
    assert_int_equal(vg_store_inbound_find(b, NULL, hash_b, &got), 0);
    assert_int_equal(got, id2);
    /* hash_a's messages have a Message-ID: not found by hash */
    assert_int_equal(vg_store_inbound_find(b, "", hash_a, &got), VG_ENOENT);
    assert_int_equal(vg_store_inbound_find(b, "nope@example.org", hash_b, &got), VG_ENOENT);

    /* the list, newest first, filtered, in pages */
    struct vg_page pg = {.limit = 2};
    json_t *page = NULL;
    assert_int_equal(vg_store_inbound_list(b, NULL, &pg, &page, &d), 0);
    json_t *items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(num(json_array_get(items, 0), "id"), id3);
    assert_int_equal(num(json_array_get(items, 1), "id"), id2);
    assert_int_equal(num(json_array_get(items, 0), "attachments"), 0);
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", str(page, "next_cursor"));
    json_decref(page);
    pg.cursor = cursor;
    assert_int_equal(vg_store_inbound_list(b, NULL, &pg, &page, &d), 0);
    items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(num(json_array_get(items, 0), "id"), id1);
    assert_int_equal(num(json_array_get(items, 0), "attachments"), 2); /* a count here */
    assert_true(json_is_null(json_object_get(page, "next_cursor")));
    json_decref(page);
    pg.cursor = NULL;
    json_t *f = json_pack("{s:s}", "outcome", "report");
    assert_int_equal(vg_store_inbound_list(b, f, &pg, &page, &d), 0);
    items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(num(json_array_get(items, 0), "id"), id1);
    assert_true(json_is_null(json_object_get(page, "next_cursor")));
    json_decref(page);
    json_decref(f);
    f = json_pack("{s:s}", "outcome", "xarf");
    assert_int_equal(vg_store_inbound_list(b, f, &pg, &page, &d), 0);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
    json_decref(page);
    json_decref(f);
    pg.cursor = "zz";
    assert_int_equal(vg_store_inbound_list(b, NULL, &pg, &page, &d), VG_EINVAL);

    /* in the caller's transaction: undone with it, attachments too */
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    struct vg_inbound_new t = m;
    t.message_id = "tx@example.org";
    long long tid = 0;
    assert_int_equal(vg_store_inbound_add(a, &t, &tid, &d), 0);
    assert_int_equal(vg_store_inbound_find(a, "tx@example.org", NULL, &got), 0); /* seen inside */
    assert_int_equal(vg_store_inbound_find(b, "tx@example.org", NULL, &got), VG_ENOENT);
    vg_store_tx_rollback(a);
    assert_int_equal(vg_store_inbound_find(b, "tx@example.org", NULL, &got), VG_ENOENT);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM inbound_attachment"), 2);
}

static void inbound_on_sqlite(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, false);
    inbound_body(&be);
    be_close(&be);
}

static void inbound_on_pg(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, true);
    inbound_body(&be);
    be_close(&be);
}

/* ---- the same random messages on both, the reads compared ---- */

static void random_messages(struct vg_store *st, unsigned seed, json_t *trace)
{
    static const char *const outcomes[] = {"report", "reply",       "xarf",      "ineligible",
                                           "queued", "quarantined", "duplicate", "bogus"};
    static const char *const mids[] = {"", "", "a@x", "b@x", "c@x"};
    static const char *const hashes[] = {hash_a, hash_b, hash_c};
    srand(seed);
    struct vg_diag d = {0};
    for (int i = 0; i < 40; i++) {
        size_t size = (size_t)(rand() % 3 == 0 ? 0 : rand() % 4000);
        unsigned char *raw = malloc(size ? size : 1);
        for (size_t k = 0; k < size; k++)
            raw[k] = (unsigned char)rand();
        struct vg_inbound_att att[3];
        unsigned char *adata[3] = {NULL, NULL, NULL};
        size_t natt = (size_t)(rand() % 4);
        for (size_t k = 0; k < natt; k++) {
            size_t as = (size_t)(rand() % 600);
            if (rand() % 2) {
                adata[k] = malloc(as ? as : 1);
                for (size_t j = 0; j < as; j++)
                    adata[k][j] = (unsigned char)rand();
            }
            att[k] = (struct vg_inbound_att){.name = rand() % 2 ? "f.bin" : "",
                                             .media_type = "application/octet-stream",
                                             .size = as,
                                             .sha256 = hashes[rand() % 3],
                                             .is_archive = rand() % 2,
                                             .data = adata[k]};
        }
        struct vg_inbound_new m = {.raw = raw,
                                   .size = size,
                                   .sha256 = hashes[rand() % 3],
                                   .message_id = mids[rand() % 5],
                                   .sender = "s@x",
                                   .subject = rand() % 2 ? "hi" : "",
                                   .outcome = outcomes[rand() % 8],
                                   .reason = rand() % 2 ? "" : "spam",
                                   .ref = "",
                                   .queue_id = rand() % 3 == 0 ? rand() % 50 + 1 : 0,
                                   .att = att,
                                   .n_att = natt};
        long long id = 0;
        int rc = vg_store_inbound_add(st, &m, &id, &d);
        json_array_append_new(trace, json_pack("{s:s,s:i,s:I}", "op", "add", "rc", rc, "id",
                                               (json_int_t)id));
        if (rc == 0) {
            unsigned char *back = NULL;
            size_t blen = 0;
            assert_int_equal(vg_store_inbound_raw(st, id, &back, &blen), 0);
            assert_int_equal(blen, size);
            if (size)
                assert_memory_equal(back, raw, size);
            free(back);
        }
        free(raw);
        for (size_t k = 0; k < 3; k++)
            free(adata[k]);
    }
    /* the reads */
    static const char *const times[] = {"received", NULL};
    for (long long id = 1; id <= 41; id++) {
        json_t *o = NULL;
        int rc = vg_store_inbound_get(st, id, &o);
        if (o)
            blank_times(o, times);
        json_array_append_new(trace, json_pack("{s:s,s:i,s:o?}", "op", "get", "rc", rc, "out", o));
    }
    for (int k = 0; k < 5; k++) {
        long long id = 0;
        int rc = vg_store_inbound_find(st, mids[k], hashes[k % 3], &id);
        json_array_append_new(trace, json_pack("{s:s,s:i,s:I}", "op", "find", "rc", rc, "id",
                                               (json_int_t)id));
    }
    for (int k = 0; k < 8; k++) {
        json_t *f = json_pack("{s:s}", "outcome", outcomes[k]);
        struct vg_page pg = {.limit = 3};
        char cur[32] = "";
        for (;;) {
            json_t *page = NULL;
            int rc = vg_store_inbound_list(st, f, &pg, &page, &d);
            assert_int_equal(rc, 0);
            blank_times(page, times);
            const char *next = json_string_value(json_object_get(page, "next_cursor"));
            if (next)
                snprintf(cur, sizeof cur, "%s", next);
            json_array_append_new(trace, page);
            if (!next)
                break;
            pg.cursor = cur;
        }
        json_decref(f);
    }
}

static void inbound_random_same_on_both(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    const char *env = getenv("VG_TEST_SEED");
    if (env)
        seed = (unsigned)strtoul(env, NULL, 10);
    for (int round = 0; round < 2; round++, seed++) {
        printf("inbound_random_same_on_both: seed %u (VG_TEST_SEED to replay)\n", seed);
        struct backend s, p;
        be_open(&s, false);
        be_open(&p, true);
        json_t *ts = json_array(), *tp = json_array();
        random_messages(s.a, seed, ts);
        random_messages(p.a, seed, tp);
        traces_equal(ts, tp, seed);
        assert_true(be_scalar(&s, "SELECT count(*) FROM inbound") > 20);
        assert_int_equal(be_scalar(&s, "SELECT count(*) FROM inbound_attachment"),
                         be_scalar(&p, "SELECT count(*) FROM inbound_attachment"));
        json_decref(ts);
        json_decref(tp);
        be_close(&s);
        be_close(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inbound_on_sqlite),
        cmocka_unit_test(inbound_on_pg),
        cmocka_unit_test(inbound_random_same_on_both),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
