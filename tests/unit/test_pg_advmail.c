/* The PostgreSQL backend's advisories, statistics, outbox and settings (issue 16) against a
 * real PostgreSQL 15 cluster (pg_fixture.h): each domain's test body is written once and run
 * on SQLite and on PostgreSQL; a seeded random sequence of writes run on both backends gives
 * the same reads; and what only several servers on one database show: the outbox's claim
 * skips the messages another sender holds, the published stamp changes with another
 * connection's publication. */
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
#include "pg_both.h"

static const struct vg_actor alice = {.user_id = 1, .name = "alice", .role = "analyst"};

/* ---- settings ---- */

static void setting_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    char v[VG_SETTING_VALUE_MAX + 2];
    assert_int_equal(vg_store_setting_get(b, "smtp.url", v, sizeof v, &d), VG_ENOENT);
    assert_string_equal(v, "");
    assert_int_equal(vg_store_setting_set(a, "smtp.url", "smtp://mx.example.org", &d), 0);
    assert_int_equal(vg_store_setting_get(b, "smtp.url", v, sizeof v, &d), 0);
    assert_string_equal(v, "smtp://mx.example.org");
    assert_int_equal(vg_store_setting_set(a, "smtp.url", "smtps://other", &d), 0); /* replaced */
    assert_int_equal(vg_store_setting_get(b, "smtp.url", v, sizeof v, &d), 0);
    assert_string_equal(v, "smtps://other");
    /* a value that does not fit: EINVAL, out empty; one byte more fits */
    assert_int_equal(vg_store_setting_get(b, "smtp.url", v, 13, &d), VG_EINVAL);
    assert_int_equal(vg_store_setting_get(b, "smtp.url", v, 14, &d), 0);
    assert_string_equal(v, "smtps://other");
    /* lengths: key 1..64 bytes, value up to 1024 */
    char key[VG_SETTING_KEY_MAX + 2];
    memset(key, 'k', sizeof key);
    key[VG_SETTING_KEY_MAX] = '\0';
    assert_int_equal(vg_store_setting_set(a, key, "", &d), 0);
    key[VG_SETTING_KEY_MAX] = 'k';
    key[VG_SETTING_KEY_MAX + 1] = '\0';
    assert_int_equal(vg_store_setting_set(a, key, "x", &d), VG_EINVAL);
    assert_string_equal(d.field, "key");
    assert_int_equal(vg_store_setting_set(a, "", "x", &d), VG_EINVAL);
    assert_int_equal(vg_store_setting_get(a, "", v, sizeof v, &d), VG_EINVAL);
    assert_int_equal(vg_store_setting_unset(a, key, &d), VG_EINVAL);
    memset(v, 'v', sizeof v);
    v[VG_SETTING_VALUE_MAX] = '\0';
    assert_int_equal(vg_store_setting_set(a, "big", v, &d), 0);
    v[VG_SETTING_VALUE_MAX] = 'v';
    v[VG_SETTING_VALUE_MAX + 1] = '\0';
    assert_int_equal(vg_store_setting_set(a, "big", v, &d), VG_EINVAL);
    assert_int_equal(vg_store_setting_set(a, "big", NULL, &d), VG_EINVAL);
    assert_int_equal(vg_store_setting_get(b, "big", v, sizeof v, &d), 0);
    assert_int_equal(strlen(v), VG_SETTING_VALUE_MAX);
    /* in a transaction rolled back: not set */
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    assert_int_equal(vg_store_setting_set(a, "gone", "1", &d), 0);
    vg_store_tx_rollback(a);
    assert_int_equal(vg_store_setting_get(b, "gone", v, sizeof v, &d), VG_ENOENT);
    /* the list, by key */
    json_t *l = NULL;
    assert_int_equal(vg_store_setting_list(b, &l, &d), 0);
    json_t *items = json_object_get(l, "items");
    assert_int_equal(json_array_size(items), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "key")), "big");
    key[VG_SETTING_KEY_MAX] = '\0';
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "key")), key);
    json_t *s = json_array_get(items, 2);
    assert_string_equal(json_string_value(json_object_get(s, "key")), "smtp.url");
    assert_string_equal(json_string_value(json_object_get(s, "value")), "smtps://other");
    assert_int_equal(strlen(json_string_value(json_object_get(s, "updated"))), 20);
    json_decref(l);
    /* unset */
    assert_int_equal(vg_store_setting_unset(a, "smtp.url", &d), 0);
    assert_int_equal(vg_store_setting_unset(a, "smtp.url", &d), VG_ENOENT);
    assert_int_equal(vg_store_setting_get(b, "smtp.url", v, sizeof v, &d), VG_ENOENT);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM setting"), 2);
}

/* ---- the outbox ---- */

static json_t *message(const char *mid, const char *kind)
{
    return json_pack("{s:s,s:s,s:s,s:[s,s],s:s,s:s}", "message_id", mid, "kind", kind, "object",
                     "incident:VIG-1", "to", "a@example.org", "b@example.org", "subject", "S",
                     "text", "T");
}

static const char *str(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    assert_non_null(v);
    return v;
}

static long long num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    assert_true(json_is_integer(v));
    return (long long)json_integer_value(v);
}

static void mail_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    long long id[4];
    char mid[32];
    for (int i = 0; i < 4; i++) {
        snprintf(mid, sizeof mid, "<m%d@x>", i);
        json_t *m = message(mid, i == 3 ? "digest" : "incident");
        assert_int_equal(vg_store_mail_queue(a, m, &id[i], &d), 0);
        json_decref(m);
        assert_true(i == 0 || id[i] > id[i - 1]);
    }
    /* refused */
    json_t *m = message("<m0@x>", "incident");
    assert_int_equal(vg_store_mail_queue(a, m, NULL, &d), VG_EEXIST);
    assert_string_equal(d.field, "message_id");
    json_object_set_new(m, "kind", json_string("spam"));
    assert_int_equal(vg_store_mail_queue(a, m, NULL, &d), VG_EINVAL);
    assert_string_equal(d.field, "kind");
    json_object_set_new(m, "kind", json_string("alert"));
    json_object_set_new(m, "to", json_array());
    assert_int_equal(vg_store_mail_queue(a, m, NULL, &d), VG_EINVAL);
    assert_string_equal(d.field, "to");
    json_object_set_new(m, "message_id", json_string(""));
    assert_int_equal(vg_store_mail_queue(a, m, NULL, &d), VG_EINVAL);
    assert_string_equal(d.field, "message_id");
    json_decref(m);
    m = json_pack("{s:s,s:s,s:[s],s:s}", "message_id", "<nt@x>", "kind", "alert", "to", "c@x",
                  "subject", "S");
    assert_int_equal(vg_store_mail_queue(a, m, NULL, &d), VG_EINVAL); /* no text */
    assert_string_equal(d.field, "subject");
    json_object_set_new(m, "text", json_string("T")); /* object and html absent: "" */
    long long nt;
    assert_int_equal(vg_store_mail_queue(a, m, &nt, &d), 0);
    json_decref(m);
    /* queued in a transaction rolled back: not queued */
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    m = message("<rolled@x>", "crisis");
    assert_int_equal(vg_store_mail_queue(a, m, NULL, &d), 0);
    json_decref(m);
    vg_store_tx_rollback(a);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM outbox"), 5);

    /* claim: due ones oldest first, up to limit, leased until `until` */
    json_t *c = NULL;
    assert_int_equal(vg_store_mail_claim(b, "2000-01-01T00:00:00Z", "2000-01-01T00:10:00Z", 10, &c,
                                         &d),
                     0); /* nothing due yet */
    assert_int_equal(json_array_size(json_object_get(c, "items")), 0);
    json_decref(c);
    const char *now = "9000-01-01T00:00:00Z", *until = "9000-01-01T00:05:00Z";
    assert_int_equal(vg_store_mail_claim(b, now, until, 2, &c, &d), 0);
    json_t *items = json_object_get(c, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *m0 = json_array_get(items, 0);
    assert_int_equal(num(m0, "id"), id[0]);
    assert_int_equal(num(json_array_get(items, 1), "id"), id[1]);
    assert_string_equal(str(m0, "message_id"), "<m0@x>");
    assert_string_equal(str(m0, "kind"), "incident");
    assert_string_equal(str(m0, "object"), "incident:VIG-1");
    assert_string_equal(json_string_value(json_array_get(json_object_get(m0, "to"), 1)),
                        "b@example.org");
    assert_string_equal(str(m0, "subject"), "S");
    assert_string_equal(str(m0, "text"), "T");
    assert_string_equal(str(m0, "html"), "");
    assert_string_equal(str(m0, "state"), "queued");
    assert_int_equal(num(m0, "attempts"), 1);
    assert_string_equal(str(m0, "next_attempt"), str(m0, "created")); /* as before the claim */
    assert_string_equal(str(m0, "last_answer"), "");
    json_decref(c);
    /* the next claim at the same time skips the leased ones */
    assert_int_equal(vg_store_mail_claim(a, now, until, 10, &c, &d), 0);
    items = json_object_get(c, "items");
    assert_int_equal(json_array_size(items), 3);
    assert_int_equal(num(json_array_get(items, 0), "id"), id[2]);
    assert_int_equal(num(json_array_get(items, 2), "id"), nt);
    json_decref(c);
    assert_int_equal(vg_store_mail_claim(a, now, until, 10, &c, &d), 0);
    assert_int_equal(json_array_size(json_object_get(c, "items")), 0);
    json_decref(c);
    /* the lease over, due again, one attempt more */
    assert_int_equal(vg_store_mail_claim(a, until, "9000-01-01T00:10:00Z", 1, &c, &d), 0);
    items = json_object_get(c, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(num(json_array_get(items, 0), "id"), id[0]);
    assert_int_equal(num(json_array_get(items, 0), "attempts"), 2);
    assert_string_equal(str(json_array_get(items, 0), "next_attempt"), until);
    json_decref(c);

    /* mark */
    assert_int_equal(vg_store_mail_mark(a, id[0], "sent", NULL, "250 ok", &d), 0);
    assert_int_equal(vg_store_mail_mark(a, id[1], "queued", "9100-01-01T00:00:00Z", "451 later",
                                        &d),
                     0);
    assert_int_equal(vg_store_mail_mark(a, id[1], "queued", "9100-01-02T00:00:00Z", NULL, &d), 0);
    assert_int_equal(vg_store_mail_mark(a, id[2], "failed", "ignored", "550 no", &d), 0);
    assert_int_equal(vg_store_mail_mark(a, id[3], "queued", NULL, NULL, &d), VG_EINVAL);
    assert_string_equal(d.field, "next_attempt");
    assert_int_equal(vg_store_mail_mark(a, id[3], "lost", NULL, NULL, &d), VG_EINVAL);
    assert_string_equal(d.field, "state");
    assert_int_equal(vg_store_mail_mark(a, 999999, "sent", NULL, NULL, &d), VG_ENOENT);

    /* list: oldest first, by state, in pages */
    struct vg_page pg = {.limit = 2};
    json_t *l = NULL;
    assert_int_equal(vg_store_mail_list(b, NULL, &pg, &l, &d), 0);
    items = json_object_get(l, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *s0 = json_array_get(items, 0), *s1 = json_array_get(items, 1);
    assert_int_equal(num(s0, "id"), id[0]);
    assert_string_equal(str(s0, "state"), "sent");
    assert_string_equal(str(s0, "last_answer"), "250 ok");
    assert_int_equal(num(s0, "attempts"), 2);
    assert_string_equal(str(s1, "state"), "queued");
    assert_string_equal(str(s1, "next_attempt"), "9100-01-02T00:00:00Z");
    assert_string_equal(str(s1, "last_answer"), "451 later"); /* NULL kept it */
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", str(l, "next_cursor"));
    json_decref(l);
    pg.cursor = cursor;
    assert_int_equal(vg_store_mail_list(b, NULL, &pg, &l, &d), 0);
    items = json_object_get(l, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(num(json_array_get(items, 0), "id"), id[2]);
    assert_string_equal(str(json_array_get(items, 0), "state"), "failed");
    assert_string_equal(str(json_array_get(items, 0), "next_attempt"), until); /* next ignored */
    snprintf(cursor, sizeof cursor, "%s", str(l, "next_cursor"));
    json_decref(l);
    assert_int_equal(vg_store_mail_list(b, NULL, &pg, &l, &d), 0);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    assert_true(json_is_null(json_object_get(l, "next_cursor")));
    json_decref(l);
    pg.cursor = NULL;
    pg.limit = 10;
    json_t *f = json_pack("{s:s}", "state", "queued");
    assert_int_equal(vg_store_mail_list(b, f, &pg, &l, &d), 0);
    items = json_object_get(l, "items");
    assert_int_equal(json_array_size(items), 3);
    assert_int_equal(num(json_array_get(items, 0), "id"), id[1]);
    assert_int_equal(num(json_array_get(items, 2), "id"), nt);
    json_decref(l);
    json_decref(f);
    pg.cursor = "nope";
    assert_int_equal(vg_store_mail_list(b, NULL, &pg, &l, &d), VG_EINVAL);
    /* a negative limit: no limit (SQLite's LIMIT -1); 0: none */
    assert_int_equal(vg_store_mail_claim(a, "9999-01-01T00:00:00Z", "9999-01-02T00:00:00Z", 0, &c,
                                         &d),
                     0);
    assert_int_equal(json_array_size(json_object_get(c, "items")), 0);
    json_decref(c);
    assert_int_equal(vg_store_mail_claim(a, "9999-01-01T00:00:00Z", "9999-01-02T00:00:00Z", -1, &c,
                                         &d),
                     0);
    items = json_object_get(c, "items");
    assert_int_equal(json_array_size(items), 3);
    assert_int_equal(num(json_array_get(items, 0), "id"), id[3]); /* due first */
    assert_int_equal(num(json_array_get(items, 1), "id"), nt);
    assert_int_equal(num(json_array_get(items, 2), "id"), id[1]);
    json_decref(c);
}

/* ---- advisories ---- */

static json_t *content(const char *kind, const char *title)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "title", title, "tlp", "CLEAR", "summary",
                     "s");
}

static json_t *create(struct vg_store *st, const char *kind, const char *code, int year,
                      const char *title)
{
    struct vg_diag d = {0};
    json_t *c = content(kind, title), *rec = NULL, *internal = json_pack("{s:s}", "note", "n");
    int rc = vg_store_advisory_create(st, &alice, c, code, year, internal, &rec, &d);
    json_decref(c);
    json_decref(internal);
    if (rc)
        fail_msg("create: %d %s", rc, d.message);
    return rec;
}

/* Publishes version v of rec (the record as the store gave it) at `at`. */
static int publish(struct vg_store *st, json_t *rec, int v, const char *at, json_t **out,
                   struct vg_diag *d)
{
    json_t *r = json_deep_copy(rec);
    json_t *text = json_object_get(rec, "draft");
    if (!json_is_object(text))
        text = json_object_get(rec, "published");
    json_object_set_new(r, "status", json_string("published"));
    json_object_set_new(r, "version", json_integer(v));
    json_object_set(r, "published", text);
    json_object_set_new(r, "draft", json_null());
    if (v == 1)
        json_object_set_new(r, "published_at", json_string(at));
    json_object_set_new(r, "last_published_at", json_string(at));
    json_t *rev = json_pack("{s:i,s:s,s:s,s:O,s:O,s:s}", "version", v, "date", at, "description",
                            v == 1 ? "first" : "update", "content", text, "authors",
                            json_object_get(rec, "authors"), "publisher", "bob");
    json_t *detail = json_pack("{s:i}", "version", v);
    int rc = vg_store_advisory_save(st, &alice, str(rec, "ref"), r, rev, "advisory.publish", detail,
                                    out, d);
    json_decref(r);
    json_decref(rev);
    json_decref(detail);
    return rc;
}

static int count_cb(void *ctx, const json_t *rec)
{
    json_t *refs = ctx;
    json_array_append_new(refs, json_string(json_string_value(json_object_get(rec, "ref"))));
    assert_true(json_is_array(json_object_get(rec, "revisions")));
    return json_array_size(refs) == 99 ? 7 : 0;
}

static int stop_cb(void *ctx, const json_t *rec)
{
    (void)ctx;
    (void)rec;
    return 42;
}

static void advisory_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    char stamp0[128], stamp1[128], stamp2[128];
    assert_int_equal(vg_store_advisory_published_stamp(b, stamp0, sizeof stamp0), 0);
    json_t *r1 = create(a, "avis", "AVI", 2026, "OpenSSL Flaw");
    assert_string_equal(str(r1, "ref"), "VIGIE-2026-AVI-0001");
    assert_string_equal(str(r1, "kind"), "avis");
    assert_int_equal(num(r1, "year"), 2026);
    assert_int_equal(num(r1, "number"), 1);
    assert_string_equal(str(r1, "status"), "draft");
    assert_int_equal(num(r1, "version"), 0);
    assert_string_equal(str(r1, "title"), "OpenSSL Flaw");
    assert_string_equal(str(r1, "tlp"), "CLEAR");
    assert_true(json_is_null(json_object_get(r1, "published")));
    assert_string_equal(str(json_object_get(r1, "draft"), "summary"), "s");
    assert_true(json_is_null(json_object_get(r1, "pending_description")));
    assert_string_equal(str(json_array_get(json_object_get(r1, "authors"), 0), "name"), "alice");
    assert_string_equal(str(json_object_get(r1, "internal"), "note"), "n");
    assert_int_equal(json_array_size(json_object_get(r1, "revisions")), 0);
    assert_true(json_is_null(json_object_get(r1, "published_at")));
    assert_true(json_is_null(json_object_get(r1, "closed_at")));
    assert_string_equal(str(r1, "created_at"), str(r1, "updated_at"));
    json_t *r2 = create(b, "avis", "AVI", 2026, "nginx 100% broken");
    assert_string_equal(str(r2, "ref"), "VIGIE-2026-AVI-0002");
    json_t *r3 = create(a, "alerte", "ALE", 2026, "Alert");
    assert_string_equal(str(r3, "ref"), "VIGIE-2026-ALE-0001");
    json_t *r4 = create(a, "avis", "AVI", 2027, "Next year");
    assert_string_equal(str(r4, "ref"), "VIGIE-2027-AVI-0001");
    /* a creation rolled back gives its number back */
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    json_t *gone = create(a, "avis", "AVI", 2027, "gone");
    assert_string_equal(str(gone, "ref"), "VIGIE-2027-AVI-0002");
    json_decref(gone);
    vg_store_tx_rollback(a);
    json_t *r5 = create(a, "avis", "AVI", 2027, "again");
    assert_string_equal(str(r5, "ref"), "VIGIE-2027-AVI-0002");
    /* refused */
    json_t *c = content("avis", "x"), *out = NULL;
    assert_int_equal(vg_store_advisory_create(a, &alice, c, "AVI", 0, NULL, &out, &d), VG_EINVAL);
    assert_int_equal(vg_store_advisory_create(a, &alice, c, "AVI", 10000, NULL, &out, &d),
                     VG_EINVAL);
    assert_int_equal(vg_store_advisory_create(a, &alice, c, "", 2026, NULL, &out, &d), VG_EINVAL);
    json_decref(c);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM advisory"), 5);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'advisory.create' AND actor = 'alice'"),
                     5);
    assert_int_equal(vg_store_advisory_get(b, "VIGIE-2026-AVI-0009", &out), VG_ENOENT);

    /* list: newest first, filters, pages */
    struct vg_page pg = {.limit = 2};
    json_t *l = NULL;
    assert_int_equal(vg_store_advisory_list(b, NULL, &pg, &l, &d), 0);
    json_t *items = json_object_get(l, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(str(json_array_get(items, 0), "ref"), "VIGIE-2027-AVI-0002");
    assert_null(json_object_get(json_array_get(items, 0), "draft"));
    assert_int_equal(num(json_array_get(items, 0), "year"), 2027);
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", str(l, "next_cursor"));
    json_decref(l);
    pg.cursor = cursor;
    pg.limit = 3;
    assert_int_equal(vg_store_advisory_list(b, NULL, &pg, &l, &d), 0);
    items = json_object_get(l, "items");
    assert_int_equal(json_array_size(items), 3);
    assert_string_equal(str(json_array_get(items, 2), "ref"), "VIGIE-2026-AVI-0001");
    assert_true(json_is_null(json_object_get(l, "next_cursor")));
    json_decref(l);
    pg.cursor = NULL;
    pg.limit = 10;
    struct {
        const char *filters;
        int n;
        const char *first;
    } cases[] = {
        {"{\"kind\":\"avis\"}", 4, "VIGIE-2027-AVI-0002"},
        {"{\"kind\":\"avis\",\"year\":2026}", 2, "VIGIE-2026-AVI-0002"},
        {"{\"status\":\"draft\",\"kind\":\"alerte\"}", 1, "VIGIE-2026-ALE-0001"},
        {"{\"status\":\"published\"}", 0, NULL},
        {"{\"q\":\"openssl\"}", 1, "VIGIE-2026-AVI-0001"},
        {"{\"q\":\"FLAW\"}", 1, "VIGIE-2026-AVI-0001"},
        {"{\"q\":\"0%\"}", 1, "VIGIE-2026-AVI-0002"}, /* % is no wildcard */
        {"{\"q\":\"_\"}", 0, NULL},
        {"{\"q\":\"a\"}", 4, "VIGIE-2027-AVI-0002"},
        {"{\"year\":1999}", 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *f = json_loads(cases[i].filters, 0, NULL);
        assert_int_equal(vg_store_advisory_list(b, f, &pg, &l, &d), 0);
        items = json_object_get(l, "items");
        if ((int)json_array_size(items) != cases[i].n)
            fail_msg("%s: %zu items, not %d", cases[i].filters, json_array_size(items), cases[i].n);
        if (cases[i].first)
            assert_string_equal(str(json_array_get(items, 0), "ref"), cases[i].first);
        json_decref(l);
        json_decref(f);
    }
    pg.cursor = "?";
    assert_int_equal(vg_store_advisory_list(b, NULL, &pg, &l, &d), VG_EINVAL);
    pg.cursor = NULL;

    /* save: publish, republish, duplicate version, unknown ref, missing status */
    assert_int_equal(vg_store_advisory_published_stamp(b, stamp1, sizeof stamp1), 0);
    assert_string_equal(stamp0, stamp1); /* drafts do not count */
    json_t *p1 = NULL;
    assert_int_equal(publish(a, r1, 1, "2026-03-01T10:00:00Z", &p1, &d), 0);
    assert_string_equal(str(p1, "status"), "published");
    assert_int_equal(num(p1, "version"), 1);
    assert_true(json_is_null(json_object_get(p1, "draft")));
    assert_string_equal(str(json_object_get(p1, "published"), "title"), "OpenSSL Flaw");
    assert_string_equal(str(p1, "title"), "OpenSSL Flaw");
    assert_string_equal(str(p1, "published_at"), "2026-03-01T10:00:00Z");
    json_t *revs = json_object_get(p1, "revisions");
    assert_int_equal(json_array_size(revs), 1);
    assert_int_equal(num(json_array_get(revs, 0), "version"), 1);
    assert_string_equal(str(json_array_get(revs, 0), "publisher"), "bob");
    assert_string_equal(str(json_array_get(revs, 0), "description"), "first");
    /* another connection's publication changes the stamp */
    assert_int_equal(vg_store_advisory_published_stamp(b, stamp2, sizeof stamp2), 0);
    assert_string_not_equal(stamp1, stamp2);
    assert_int_equal(vg_store_advisory_published_stamp(b, stamp1, sizeof stamp1), 0);
    assert_string_equal(stamp1, stamp2); /* nothing changed */
    json_t *dup = NULL;
    assert_int_equal(publish(b, p1, 1, "2026-03-02T10:00:00Z", &dup, &d), VG_EEXIST);
    assert_string_equal(d.field, "version");
    assert_int_equal(vg_store_advisory_get(a, "VIGIE-2026-AVI-0001", &out), 0);
    assert_int_equal(num(out, "version"), 1); /* the failed save changed nothing */
    assert_int_equal(json_array_size(json_object_get(out, "revisions")), 1);
    json_decref(out);
    json_t *p2 = NULL;
    assert_int_equal(publish(b, p1, 2, "2026-03-02T10:00:00Z", &p2, &d), 0);
    assert_int_equal(json_array_size(json_object_get(p2, "revisions")), 2);
    assert_string_equal(str(p2, "published_at"), "2026-03-01T10:00:00Z");
    assert_string_equal(str(p2, "last_published_at"), "2026-03-02T10:00:00Z");
    assert_int_equal(vg_store_advisory_published_stamp(a, stamp1, sizeof stamp1), 0);
    assert_string_not_equal(stamp1, stamp2);
    /* a closing (no revision), the text following the published content */
    json_t *closed = json_deep_copy(p2), *p3 = NULL;
    json_object_set_new(closed, "closed_at", json_string("2026-04-01T00:00:00Z"));
    json_object_set_new(closed, "pending_description", json_string("pending"));
    assert_int_equal(vg_store_advisory_save(a, &alice, str(p2, "ref"), closed, NULL,
                                            "advisory.close", NULL, &p3, &d),
                     0);
    assert_string_equal(str(p3, "closed_at"), "2026-04-01T00:00:00Z");
    assert_string_equal(str(p3, "pending_description"), "pending");
    assert_int_equal(vg_store_advisory_published_stamp(b, stamp2, sizeof stamp2), 0);
    assert_string_not_equal(stamp1, stamp2);
    assert_int_equal(vg_store_advisory_save(a, &alice, "VIGIE-1999-X-0001", closed, NULL, "x", NULL,
                                            &out, &d),
                     VG_ENOENT);
    json_object_del(closed, "status");
    assert_int_equal(vg_store_advisory_save(a, &alice, str(p2, "ref"), closed, NULL, "x", NULL,
                                            &out, &d),
                     VG_EINVAL);
    json_decref(closed);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'advisory.publish'"),
                     2);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'advisory.close'"),
                     1);
    /* published_each: in id order, stops at fn's first non-zero return */
    json_t *p4 = NULL;
    assert_int_equal(publish(a, r3, 1, "2026-05-01T00:00:00Z", &p4, &d), 0);
    json_t *refs = json_array();
    assert_int_equal(vg_store_advisory_published_each(b, count_cb, refs), 0);
    assert_int_equal(json_array_size(refs), 2);
    assert_string_equal(json_string_value(json_array_get(refs, 0)), "VIGIE-2026-AVI-0001");
    assert_string_equal(json_string_value(json_array_get(refs, 1)), "VIGIE-2026-ALE-0001");
    json_decref(refs);
    assert_int_equal(vg_store_advisory_published_each(b, stop_cb, NULL), 42);
    /* a closing written by another client (psql, another server): seen by both connections */
    assert_int_equal(vg_store_advisory_published_stamp(a, stamp1, sizeof stamp1), 0);
    assert_int_equal(vg_store_advisory_published_stamp(b, stamp2, sizeof stamp2), 0);
    assert_string_equal(stamp1, stamp2);
    be_sql(be, "UPDATE advisory SET closed_at = '2026-06-01T00:00:00Z' "
               "WHERE ref = 'VIGIE-2026-ALE-0001'");
    assert_int_equal(vg_store_advisory_published_stamp(a, stamp1, sizeof stamp1), 0);
    assert_string_not_equal(stamp1, stamp2);
    assert_int_equal(vg_store_advisory_published_stamp(b, stamp2, sizeof stamp2), 0);
    assert_string_equal(stamp1, stamp2);
    /* a stamp that does not fit is cut */
    char tiny[4];
    assert_int_equal(vg_store_advisory_published_stamp(b, tiny, sizeof tiny), 0);
    assert_int_equal(strlen(tiny), 3);
    json_decref(r1);
    json_decref(r2);
    json_decref(r3);
    json_decref(r4);
    json_decref(r5);
    json_decref(p1);
    json_decref(p2);
    json_decref(p3);
    json_decref(p4);
}

/* ---- statistics (their tables are kept by triggers: filled here directly) ---- */

static void stats_body(const struct backend *be)
{
    struct vg_store *a = be->a;
    struct vg_diag d = {0};
    json_t *o = NULL;
    double med;
    long long n;
    /* empty */
    assert_int_equal(vg_store_stats_incident_days(a, "2026-01-01", "2027-01-01", &o, &d), 0);
    assert_int_equal(json_array_size(o), 0);
    json_decref(o);
    assert_int_equal(vg_store_stats_open_by_severity(a, &o, &d), 0);
    assert_int_equal(json_object_size(o), 0);
    json_decref(o);
    assert_int_equal(vg_store_stats_median(a, VG_STATS_TRIAGE, "2026-01-01", "2027-01-01", &med, &n,
                                           &d),
                     0);
    assert_int_equal(n, 0);
    assert_true(med == 0);
    assert_int_equal(vg_store_stats_top_sighted(a, 5, &o, &d), 0);
    assert_int_equal(json_array_size(o), 0);
    json_decref(o);
    assert_int_equal(vg_store_stats_findings_by_priority(a, &o, &d), 0);
    assert_int_equal(json_array_size(o), 3);
    assert_int_equal(json_integer_value(json_array_get(o, 0)) +
                         json_integer_value(json_array_get(o, 1)) +
                         json_integer_value(json_array_get(o, 2)),
                     0);
    json_decref(o);

    be_sql(be, "INSERT INTO stats_incident_day(day, class, n) VALUES "
               "('2025-12-31', 'malware', 4), ('2026-01-01', 'phishing', 2), "
               "('2026-01-01', 'malware', 1), ('2026-01-02', 'dos', 0), "
               "('2026-01-03', 'dos', 5), ('2026-01-04', 'dos', 9)");
    be_sql(be, "INSERT INTO stats_open(severity, n) VALUES ('low', 3), ('high', 1), "
               "('critical', 0)");
    be_sql(be, "INSERT INTO stats_incident_time(incident_id, triaged, triage_s, closed, "
               "close_s) VALUES "
               "(1, '2026-01-01T00:00:00.000000Z', 10, '2026-01-05T00:00:00.000000Z', 100), "
               "(2, '2026-01-02T00:00:00.000000Z', 30, NULL, NULL), "
               "(3, '2026-01-02T12:00:00.000000Z', 20, '2026-01-06T00:00:00.000000Z', 301), "
               "(4, '2026-01-03T00:00:00.000000Z', 1000, NULL, NULL), "
               "(5, '2025-12-31T23:59:59.999999Z', 7, '2026-01-04T23:59:59.999999Z', 5)");
    assert_int_equal(vg_store_stats_incident_days(a, "2026-01-01", "2026-01-04", &o, &d), 0);
    json_t *want = json_loads("[[\"2026-01-01\",\"malware\",1],[\"2026-01-01\",\"phishing\",2],"
                              "[\"2026-01-03\",\"dos\",5]]",
                              0, NULL);
    assert_true(json_equal(o, want));
    json_decref(want);
    json_decref(o);
    assert_int_equal(vg_store_stats_open_by_severity(a, &o, &d), 0);
    want = json_loads("{\"low\":3,\"high\":1}", 0, NULL);
    assert_true(json_equal(o, want));
    json_decref(want);
    json_decref(o);
    static const struct {
        enum vg_stats_duration what;
        const char *since, *until;
        long long n;
        double median;
    } medians[] = {
        {VG_STATS_TRIAGE, "2026-01-01", "2026-01-03", 3, 20},  /* 10, 30, 20 */
        {VG_STATS_TRIAGE, "2026-01-01", "2026-01-04", 4, 25},  /* + 1000: mean of 20 and 30 */
        {VG_STATS_TRIAGE, "2025-12-31", "2026-01-01", 1, 7},   /* the day's last microsecond */
        {VG_STATS_CLOSE, "2026-01-04", "2026-01-06", 2, 52.5}, /* 5, 100; the 6th is out */
        {VG_STATS_CLOSE, "2026-01-01", "2027-01-01", 3, 100},  /* open ones never count */
        {VG_STATS_CLOSE, "2026-01-07", "2026-02-01", 0, 0},
    };
    for (size_t i = 0; i < sizeof medians / sizeof medians[0]; i++) {
        assert_int_equal(vg_store_stats_median(a, medians[i].what, medians[i].since,
                                               medians[i].until, &med, &n, &d),
                         0);
        if (n != medians[i].n || med != medians[i].median)
            fail_msg("median %zu: n %lld median %g, not %lld %g", i, n, med, medians[i].n,
                     medians[i].median);
    }

    be_sql(be, "INSERT INTO indicator(id, type, value, tlp, created, updated) VALUES "
               "(1, 'ipv4', '192.0.2.1', 'GREEN', 'c', 'u'), (2, 'domain', 'b.example', 'AMBER', "
               "'c', 'u'), (3, 'domain', 'a.example', 'CLEAR', 'c', 'u'), (4, 'url', 'http://x', "
               "'RED', 'c', 'u')");
    be_sql(be, "INSERT INTO alert(indicator_id, day, first_seen, last_seen, count, "
               "created) VALUES (1, 'd1', 'f', 'l', 3, 'c'), (1, 'd2', 'f', 'l', 4, 'c'), "
               "(2, 'd1', 'f', 'l', 5, 'c'), (3, 'd1', 'f', 'l', 5, 'c'), "
               "(4, 'd1', 'f', 'l', 1, 'c')");
    assert_int_equal(vg_store_stats_top_sighted(a, 3, &o, &d), 0);
    assert_int_equal(json_array_size(o), 3);
    json_t *t0 = json_array_get(o, 0);
    assert_int_equal(num(t0, "id"), 1);
    assert_string_equal(str(t0, "type"), "ipv4");
    assert_string_equal(str(t0, "value"), "192.0.2.1");
    assert_string_equal(str(t0, "tlp"), "GREEN");
    assert_int_equal(num(t0, "sightings"), 7);
    assert_string_equal(str(json_array_get(o, 1), "value"), "a.example"); /* tie: by value */
    assert_string_equal(str(json_array_get(o, 2), "value"), "b.example");
    json_decref(o);
    assert_int_equal(vg_store_stats_top_sighted(a, -1, &o, &d), 0); /* no limit */
    assert_int_equal(json_array_size(o), 4);
    assert_int_equal(num(json_array_get(o, 3), "sightings"), 1);
    json_decref(o);

    be_sql(be, "INSERT INTO org(id, name, kind, sector, created, updated) VALUES "
               "(1, 'O', 'operator', 'energy', 'c', 'u')");
    be_sql(be, "INSERT INTO asset(id, cpe) VALUES (1, 'cpe:a'), (2, 'cpe:b')");
    be_sql(be, "INSERT INTO finding(org_id, asset_id, key, first_seen) VALUES "
               "(1, 1, 10, 'f'), (1, 2, 10, 'f'), (1, 1, 20, 'f'), (1, 1, 30, 'f'), "
               "(1, 1, 40, 'f')");
    be_sql(be, "INSERT INTO kev(key, date_added) VALUES (10, '2026-01-01')");
    be_sql(be, "INSERT INTO epss(key, score, percentile) VALUES (10, 0.9, 0.9), "
               "(20, 0.1, 0.5), (30, 0.0999, 0.4)");
    assert_int_equal(vg_store_stats_findings_by_priority(a, &o, &d), 0);
    want = json_loads("[2,1,2]", 0, NULL);
    assert_true(json_equal(o, want));
    json_decref(want);
    json_decref(o);
}

/* ---- the same random writes on both backends ---- */

/* Drops what depends on the clock (times written as now) and the outbox's ids: a PostgreSQL
 * sequence spends a number on a refused insert (a Message-ID already queued), SQLite does not;
 * the contract promises only an id per message, and the Message-ID names each one here. */
static void normalise(json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
            normalise(e);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *created = json_string_value(json_object_get(v, "created"));
    const char *next = json_string_value(json_object_get(v, "next_attempt"));
    if (created && next && !strcmp(created, next))
        json_object_set_new(v, "next_attempt", json_string("now"));
    if (json_object_get(v, "message_id"))
        json_object_del(v, "id");
    const char *key;
    json_t *e;
    json_object_foreach(v, key, e)
        normalise(e);
}

/* Every page of list (7 items a page), following the cursors. */
static json_t *all_pages(struct vg_store *st,
                         int (*list)(struct vg_store *st, const json_t *filters,
                                     const struct vg_page *page, json_t **out, struct vg_diag *d))
{
    struct vg_diag d = {0};
    struct vg_page pg = {.limit = 7};
    json_t *pages = json_array(), *o = NULL;
    char cursor[32] = "";
    do {
        pg.cursor = cursor[0] ? cursor : NULL;
        assert_int_equal(list(st, NULL, &pg, &o, &d), 0);
        const char *next = json_string_value(json_object_get(o, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_array_append_new(pages, json_deep_copy(json_object_get(o, "items")));
        json_decref(o);
    } while (cursor[0]);
    return pages;
}

/* Runs the writes of seed on st and returns what the reads give. */
static json_t *random_run(struct vg_store *st, unsigned seed)
{
    struct vg_diag d = {0};
    unsigned s = seed;
    json_t *refs = json_array(), *codes = json_array();
    long long ids[160];
    int nmail = 0;
    char last[128] = "";
    for (int step = 0; step < 150; step++) {
        int op = rand_r(&s) % 8;
        char key[16], val[32], buf[64];
        snprintf(key, sizeof key, "k%d", rand_r(&s) % 6);
        snprintf(val, sizeof val, "v%d", rand_r(&s) % 1000);
        int rc = 1; /* 1: not run (nothing to mark or publish yet), 2: not published */
        if (op == 0) {
            rc = vg_store_setting_set(st, key, val, &d);
        } else if (op == 1) {
            rc = vg_store_setting_unset(st, key, &d);
        } else if (op == 2) {
            static const char *const kinds[] = {"incident", "digest", "alert", "bogus"};
            snprintf(buf, sizeof buf, "<%d@r>", rand_r(&s) % 40);
            json_t *m = message(buf, kinds[rand_r(&s) % 4]);
            long long id = 0;
            rc = vg_store_mail_queue(st, m, &id, &d);
            json_decref(m);
            if (rc == 0)
                ids[nmail++] = id;
        } else if (op == 3) {
            char now[32], until[32];
            int t = rand_r(&s) % 50;
            snprintf(now, sizeof now, "9000-01-01T00:%02d:00Z", t);
            snprintf(until, sizeof until, "9000-01-01T00:%02d:00Z", t + 5);
            json_t *c = NULL;
            rc = vg_store_mail_claim(st, now, until, 1 + rand_r(&s) % 3, &c, &d);
            json_array_append(codes, c ? c : json_null());
            json_decref(c);
        } else if (op == 4 && nmail) {
            static const char *const states[] = {"sent", "failed", "queued", "odd"};
            char next[32];
            snprintf(next, sizeof next, "9000-01-01T00:%02d:00Z", rand_r(&s) % 60);
            int k = rand_r(&s) % (nmail + 1); /* nmail: no such message */
            rc = vg_store_mail_mark(st, k < nmail ? ids[k] : 0, states[rand_r(&s) % 4], next,
                                    rand_r(&s) % 2 ? "250" : NULL, &d);
        } else if (op == 5) {
            static const char *const kinds[] = {"avis", "alerte"};
            int k = rand_r(&s) % 2;
            snprintf(buf, sizeof buf, "Title %d %s", rand_r(&s) % 100, k ? "ALERT" : "notice");
            json_t *c = content(kinds[k], buf), *rec = NULL;
            rc = vg_store_advisory_create(st, &alice, c, k ? "ALE" : "AVI", 2025 + rand_r(&s) % 3,
                                          NULL, &rec, &d);
            if (rc == 0)
                json_array_append_new(refs, json_string(str(rec, "ref")));
            json_decref(rec);
            json_decref(c);
        } else if (op == 6 && json_array_size(refs)) {
            const char *ref =
                json_string_value(json_array_get(refs, rand_r(&s) % json_array_size(refs)));
            json_t *rec = NULL, *out = NULL;
            assert_int_equal(vg_store_advisory_get(st, ref, &rec), 0);
            char at[32];
            snprintf(at, sizeof at, "2026-02-%02dT00:00:00Z", 1 + rand_r(&s) % 28);
            int v = (int)num(rec, "version") + (rand_r(&s) % 4 == 0 ? 0 : 1);
            rc = v ? publish(st, rec, v, at, &out, &d) : 2;
            json_decref(rec);
            json_decref(out);
        } else {
            /* the stamps' texts differ between backends: whether it changed is compared */
            char stamp[128];
            rc = vg_store_advisory_published_stamp(st, stamp, sizeof stamp);
            json_array_append_new(codes, json_boolean(strcmp(stamp, last) != 0));
            snprintf(last, sizeof last, "%s", stamp);
        }
        json_array_append_new(codes, json_integer(rc));
    }
    /* the reads */
    json_t *all = json_object(), *o = NULL;
    json_object_set_new(all, "codes", codes);
    assert_int_equal(vg_store_setting_list(st, &o, &d), 0);
    json_object_set_new(all, "settings", o);
    json_object_set_new(all, "mail", all_pages(st, vg_store_mail_list));
    json_object_set_new(all, "advisories", all_pages(st, vg_store_advisory_list));
    json_t *recs = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(refs, i, r) {
        assert_int_equal(vg_store_advisory_get(st, json_string_value(r), &o), 0);
        json_array_append_new(recs, o);
    }
    json_object_set_new(all, "records", recs);
    json_t *pub = json_array();
    assert_int_equal(vg_store_advisory_published_each(st, count_cb, pub), 0);
    json_object_set_new(all, "published", pub);
    json_decref(refs);
    normalise(all);
    static const char *const clock[] = {"created", "updated", "created_at", "updated_at", NULL};
    blank_times(all, clock);
    return all;
}

/* ---- the two backends ---- */

struct env {
    struct backend sq, pg;
};

static int env_up(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    *state = e;
    be_open(&e->sq, false);
    be_open(&e->pg, true);
    return 0;
}

static int env_down(void **state)
{
    struct env *e = *state;
    if (!e)
        return 0;
    be_close(&e->sq);
    if (!pgc.why[0])
        be_close(&e->pg);
    free(e);
    return 0;
}

#define BOTH(body)                                                                                 \
    static void body##_on_sqlite(void **state)                                                     \
    {                                                                                              \
        body(&((struct env *)*state)->sq);                                                         \
    }                                                                                              \
    static void body##_on_pg(void **state)                                                         \
    {                                                                                              \
        body(&((struct env *)*state)->pg);                                                         \
    }

BOTH(setting_body)
BOTH(mail_body)
BOTH(advisory_body)
BOTH(stats_body)

/* The same seeded random writes on both backends give the same reads (ids included: both
 * number from 1 and nothing is deleted here; the contract would let them differ). */
static void random_same_on_both(void **state)
{
    struct env *e = *state;
    const char *env = getenv("VG_SEED");
    unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
    printf("random_same_on_both: seed %u (VG_SEED=%u to replay)\n", seed, seed);
    json_t *x = random_run(e->sq.a, seed), *y = random_run(e->pg.a, seed);
    traces_equal(x, y, seed);
    /* the run did something: writes that succeeded, and some refused */
    const json_t *codes = json_object_get(x, "codes");
    int ok = 0, refused = 0;
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c) {
        if (json_is_integer(c) && json_integer_value(c) == 0)
            ok++;
        else if (json_is_integer(c) && json_integer_value(c) < 0)
            refused++;
    }
    assert_true(ok > 30);
    assert_true(refused > 0);
    json_decref(x);
    json_decref(y);
}

/* Two senders on one database: the claim of one skips, without waiting, the messages the
 * other's open claim holds; once that commits they are leased and not due. */
static void claim_skips_locked(void **state)
{
    struct env *e = *state;
    struct vg_store *a = e->pg.a, *b = e->pg.b;
    struct vg_diag d = {0};
    for (int i = 0; i < 5; i++) {
        char mid[16];
        snprintf(mid, sizeof mid, "<%d@s>", i);
        json_t *m = message(mid, "alert");
        assert_int_equal(vg_store_mail_queue(a, m, NULL, &d), 0);
        json_decref(m);
    }
    const char *now = "9000-01-01T00:00:00Z", *until = "9000-01-01T01:00:00Z";
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    json_t *ca = NULL, *cb = NULL;
    assert_int_equal(vg_store_mail_claim(a, now, until, 2, &ca, &d), 0);
    assert_int_equal(json_array_size(json_object_get(ca, "items")), 2);
    assert_int_equal(vg_store_mail_claim(b, now, until, 10, &cb, &d), 0); /* no wait */
    json_t *items = json_object_get(cb, "items");
    assert_int_equal(json_array_size(items), 3);
    assert_int_equal(num(json_array_get(items, 0), "id"),
                     num(json_array_get(json_object_get(ca, "items"), 1), "id") + 1);
    assert_int_equal(vg_store_tx_commit(a, &d), 0);
    json_decref(ca);
    json_decref(cb);
    assert_int_equal(vg_store_mail_claim(b, now, until, 10, &cb, &d), 0);
    assert_int_equal(json_array_size(json_object_get(cb, "items")), 0);
    json_decref(cb);
    /* a claim rolled back leaves its messages due: claimed once each, 5 attempts in all */
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    assert_int_equal(vg_store_mail_claim(a, until, "9000-01-01T02:00:00Z", 10, &ca, &d), 0);
    assert_int_equal(json_array_size(json_object_get(ca, "items")), 5);
    json_decref(ca);
    vg_store_tx_rollback(a);
    assert_int_equal(pg_scalar_on(e->pg.other, "SELECT sum(attempts) FROM outbox"), 5);
    assert_int_equal(vg_store_mail_claim(b, until, "9000-01-01T02:00:00Z", 10, &cb, &d), 0);
    assert_int_equal(json_array_size(json_object_get(cb, "items")), 5);
    json_decref(cb);
}

/* Senders in threads, each with its connection, claim until nothing is due: every message is
 * claimed exactly once. */
struct sender {
    const char *uri;
    int claimed, rc;
};

static void *sender_run(void *arg)
{
    struct sender *s = arg;
    struct vg_diag d = {0};
    struct vg_store *st = vg_store_open_partial(s->uri, NULL, &d);
    if (!st) {
        s->rc = VG_EIO;
        return NULL;
    }
    for (;;) {
        json_t *c = NULL;
        s->rc = vg_store_mail_claim(st, "9000-01-01T00:00:00Z", "9000-01-01T01:00:00Z", 3, &c, &d);
        size_t n = s->rc ? 0 : json_array_size(json_object_get(c, "items"));
        json_decref(c);
        if (s->rc || n == 0)
            break;
        s->claimed += (int)n;
    }
    vg_store_close(st);
    return NULL;
}

static void senders_claim_once(void **state)
{
    struct env *e = *state;
    struct vg_diag d = {0};
    enum { MESSAGES = 120, SENDERS = 4 };
    assert_int_equal(vg_store_tx_begin(e->pg.a, &d), 0);
    for (int i = 0; i < MESSAGES; i++) {
        char mid[16];
        snprintf(mid, sizeof mid, "<%d@t>", i);
        json_t *m = message(mid, "digest");
        assert_int_equal(vg_store_mail_queue(e->pg.a, m, NULL, &d), 0);
        json_decref(m);
    }
    assert_int_equal(vg_store_tx_commit(e->pg.a, &d), 0);
    pthread_t t[SENDERS];
    struct sender s[SENDERS];
    for (int i = 0; i < SENDERS; i++) {
        s[i] = (struct sender){.uri = e->pg.path};
        assert_int_equal(pthread_create(&t[i], NULL, sender_run, &s[i]), 0);
    }
    int total = 0, busy = 0;
    for (int i = 0; i < SENDERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(s[i].rc, 0);
        total += s[i].claimed;
        busy += s[i].claimed > 0;
    }
    assert_int_equal(total, MESSAGES);
    assert_int_equal(pg_scalar_on(e->pg.other, "SELECT count(*) FROM outbox WHERE attempts = 1"),
                     MESSAGES);
    printf("senders_claim_once: %d messages, %d of %d senders claimed some\n", MESSAGES, busy,
           SENDERS);
}

/* A server whose clock is behind closes an advisory at a time before the latest closing: the
 * stamp still changes (SQLite's, on one host, compares the latest times). */
static void stamp_ignores_clocks(void **state)
{
    struct env *e = *state;
    struct vg_diag d = {0};
    json_t *x = create(e->pg.a, "avis", "AVI", 2026, "x"),
           *y = create(e->pg.a, "avis", "AVI", 2026, "y");
    json_t *px = NULL, *py = NULL;
    assert_int_equal(publish(e->pg.a, x, 1, "2026-01-01T00:00:00Z", &px, &d), 0);
    assert_int_equal(publish(e->pg.a, y, 1, "2026-01-01T00:00:00Z", &py, &d), 0);
    pg_on(e->pg.other, "UPDATE advisory SET closed_at = '2026-02-01T00:00:05Z' WHERE title = 'x'");
    char s1[128], s2[128];
    assert_int_equal(vg_store_advisory_published_stamp(e->pg.b, s1, sizeof s1), 0);
    pg_on(e->pg.other, "UPDATE advisory SET closed_at = '2026-02-01T00:00:01Z' WHERE title = 'y'");
    assert_int_equal(vg_store_advisory_published_stamp(e->pg.b, s2, sizeof s2), 0);
    assert_string_not_equal(s1, s2);
    assert_int_equal(strncmp(s2, "2|2|", 4), 0);
    json_decref(x);
    json_decref(y);
    json_decref(px);
    json_decref(py);
}

/* The server stopped: each domain's calls fail with VG_EIO "database unavailable" (a setting
 * is not "not set", a stamp is not an empty site); restarted: the next calls work again. */
static void server_down_then_back(void **state)
{
    struct env *e = *state;
    struct vg_store *a = e->pg.a;
    struct vg_diag d = {0};
    char v[64], stamp[128];
    json_t *o = NULL;
    double med;
    long long n;
    assert_int_equal(vg_store_setting_set(a, "k", "v", &d), 0);
    pg_cluster_ctl("stop");
    assert_int_equal(vg_store_setting_get(a, "k", v, sizeof v, &d), VG_EIO);
    assert_non_null(strstr(d.message, "database unavailable"));
    assert_int_equal(vg_store_setting_set(a, "k", "w", &d), VG_EIO);
    assert_int_equal(vg_store_advisory_published_stamp(a, stamp, sizeof stamp), VG_EIO);
    assert_int_equal(vg_store_mail_claim(a, "9000", "9001", 5, &o, &d), VG_EIO);
    assert_null(o);
    assert_int_equal(vg_store_stats_median(a, VG_STATS_CLOSE, "2026-01-01", "2027-01-01", &med, &n,
                                           &d),
                     VG_EIO);
    pg_cluster_ctl("restart");
    assert_int_equal(vg_store_setting_get(a, "k", v, sizeof v, &d), 0);
    assert_string_equal(v, "v");
    assert_int_equal(vg_store_advisory_published_stamp(a, stamp, sizeof stamp), 0);
    assert_string_equal(stamp, "0|0|0");
    PQreset(e->pg.other);
}

/* Two servers create at once: numbers are unique and without gaps. */
static void numbers_unique_across_connections(void **state)
{
    struct env *e = *state;
    struct vg_store *a = e->pg.a, *b = e->pg.b;
    struct vg_diag d = {0};
    /* a holds the counter's row in an open transaction: b's creation waits for it */
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    json_t *r = create(a, "avis", "AVI", 2026, "a");
    assert_string_equal(str(r, "ref"), "VIGIE-2026-AVI-0001");
    json_decref(r);
    vg_store_busy_timeout(b, 200);
    json_t *c = content("avis", "b"), *out = NULL;
    assert_int_equal(vg_store_advisory_create(b, &alice, c, "AVI", 2026, NULL, &out, &d), VG_EBUSY);
    assert_int_equal(vg_store_tx_commit(a, &d), 0);
    assert_int_equal(vg_store_advisory_create(b, &alice, c, "AVI", 2026, NULL, &out, &d), 0);
    assert_string_equal(str(out, "ref"), "VIGIE-2026-AVI-0002");
    json_decref(out);
    json_decref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(setting_body_on_sqlite, env_up, env_down),
        cmocka_unit_test_setup_teardown(setting_body_on_pg, env_up, env_down),
        cmocka_unit_test_setup_teardown(mail_body_on_sqlite, env_up, env_down),
        cmocka_unit_test_setup_teardown(mail_body_on_pg, env_up, env_down),
        cmocka_unit_test_setup_teardown(advisory_body_on_sqlite, env_up, env_down),
        cmocka_unit_test_setup_teardown(advisory_body_on_pg, env_up, env_down),
        cmocka_unit_test_setup_teardown(stats_body_on_sqlite, env_up, env_down),
        cmocka_unit_test_setup_teardown(stats_body_on_pg, env_up, env_down),
        cmocka_unit_test_setup_teardown(random_same_on_both, env_up, env_down),
        cmocka_unit_test_setup_teardown(claim_skips_locked, env_up, env_down),
        cmocka_unit_test_setup_teardown(numbers_unique_across_connections, env_up, env_down),
        cmocka_unit_test_setup_teardown(senders_claim_once, env_up, env_down),
        cmocka_unit_test_setup_teardown(stamp_ignores_clocks, env_up, env_down),
        cmocka_unit_test_setup_teardown(server_down_then_back, env_up, env_down),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
