/* The crisis cell's store (store/crisis.h) on both backends (issue 16): one test body run on
 * SQLite and on PostgreSQL (pg_fixture.h's cluster), a seeded random sequence of writes run on
 * both and the reads compared, and the writes of several connections at once on PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <time.h>

#include "store/pg_int.h"
#include "store/store.h"
#include "pg_fixture.h"
#include "pg_both.h"

static const struct vg_actor alice = {1, "alice", "analyst", 0};

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "(none)";
}

static long long num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static long long new_crisis(struct vg_store *st, const char *title, int every)
{
    struct vg_diag d = {0};
    json_t *c = json_pack("{s:s,s:s,s:[s],s:i}", "title", title, "level", "major", "incidents",
                          "VIG-1", "sitrep_every_hours", every);
    json_t *out = NULL;
    assert_int_equal(vg_store_crisis_create(st, &alice, c, &out, &d), 0);
    long long id = num(out, "id");
    json_decref(c);
    json_decref(out);
    return id;
}

static long long add_member(struct vg_store *st, long long id, const char *email, int want)
{
    struct vg_diag d = {0};
    json_t *m = json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", "person", "name", email, "email", email,
                          "role", "lead", "max_tlp", "AMBER");
    json_t *out = NULL;
    assert_int_equal(vg_store_crisis_member_add(st, &alice, id, m, &out, &d), want);
    long long mid = out ? num(out, "id") : 0;
    json_decref(m);
    json_decref(out);
    return mid;
}

static void hash_of(unsigned n, unsigned char h[32])
{
    memset(h, 0, 32);
    h[0] = 0xc1;
    memcpy(h + 1, &n, sizeof n);
    h[31] = 0; /* a NUL inside and at the end: bytes, not a string */
}

/* ---- one body for both backends ---- */

static void crisis_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    be_sql(be, "INSERT INTO partner(name, country, created, updated) "
               "VALUES ('CERT-X', 'FR', 'x', 'x')");
    be_sql(be, "INSERT INTO org(name, kind, sector, created, updated) "
               "VALUES ('Acme', 'operator', 'energy', 'x', 'x')");
    long long partner = be_scalar(be, "SELECT id FROM partner");
    long long org = be_scalar(be, "SELECT id FROM org");

    /* create and get */
    json_t *c = json_pack("{s:s,s:s,s:[s,s],s:i}", "title", "Ransomware", "level", "major",
                          "incidents", "VIG-1", "VIG-2", "sitrep_every_hours", 4);
    json_t *out = NULL;
    assert_int_equal(vg_store_crisis_create(a, &alice, c, &out, &d), 0);
    json_decref(c);
    long long id = num(out, "id");
    assert_true(id > 0);
    assert_string_equal(str(out, "title"), "Ransomware");
    assert_string_equal(str(out, "level"), "major");
    assert_string_equal(str(out, "state"), "open");
    assert_true(json_is_null(json_object_get(out, "closed")));
    assert_true(json_is_null(json_object_get(out, "closing")));
    assert_true(json_is_null(json_object_get(out, "review")));
    assert_true(json_is_null(json_object_get(out, "reminded")));
    assert_int_equal(num(out, "sitrep_every_hours"), 4);
    assert_string_equal(str(out, "opened"), str(out, "updated"));
    assert_true(strlen(str(out, "opened")) >= 20);
    json_t *inc = json_object_get(out, "incidents");
    assert_int_equal(json_array_size(inc), 2);
    assert_string_equal(json_string_value(json_array_get(inc, 1)), "VIG-2");
    assert_int_equal(json_array_size(json_object_get(out, "members")), 0);
    assert_int_equal(json_array_size(json_object_get(out, "log")), 0);
    assert_int_equal(json_array_size(json_object_get(out, "sitreps")), 0);
    json_t *got = NULL;
    assert_int_equal(vg_store_crisis_get(b, id, &got), 0); /* another connection sees it */
    assert_true(json_equal(got, out));
    json_decref(got);
    json_decref(out);
    assert_int_equal(vg_store_crisis_get(b, id + 100, &got), VG_ENOENT);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = 'crisis.create' "
                                   "AND actor = 'alice' AND object = 'crisis:1'"),
                     1);

    /* update: only what the patch names */
    json_t *patch = json_pack("{s:s,s:i}", "title", "Ransomware at Acme", "sitrep_every_hours", 0);
    assert_int_equal(vg_store_crisis_update(a, &alice, id, patch, &out, &d), 0);
    assert_string_equal(str(out, "title"), "Ransomware at Acme");
    assert_string_equal(str(out, "level"), "major");
    assert_int_equal(num(out, "sitrep_every_hours"), 0);
    assert_int_equal(json_array_size(json_object_get(out, "incidents")), 2);
    json_decref(out);
    json_decref(patch);
    patch = json_pack("{s:s,s:[]}", "level", "minor", "incidents");
    assert_int_equal(vg_store_crisis_update(a, &alice, id, patch, &out, &d), 0);
    assert_string_equal(str(out, "level"), "minor");
    assert_string_equal(str(out, "title"), "Ransomware at Acme");
    assert_int_equal(json_array_size(json_object_get(out, "incidents")), 0);
    assert_int_equal(num(out, "sitrep_every_hours"), 0);
    json_decref(out);
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_crisis_update(a, &alice, 999, patch, &out, &d), VG_ENOENT);
    assert_string_equal(d.field, "id");
    json_decref(patch);

    /* the log */
    assert_int_equal(vg_store_crisis_log_add(a, &alice, id, "called the CISO", &out, &d), 0);
    long long lid = num(out, "id");
    assert_true(lid > 0);
    assert_string_equal(str(out, "author"), "alice");
    assert_string_equal(str(out, "text"), "called the CISO");
    json_decref(out);
    assert_int_equal(vg_store_crisis_log_add(a, &alice, id, "second", &out, &d), 0);
    assert_true(num(out, "id") > lid);
    json_decref(out);
    assert_int_equal(vg_store_crisis_log_add(a, &alice, 999, "x", &out, &d), VG_ENOENT);

    /* members of the three kinds */
    json_t *m = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "kind", "partner", "name", "CERT-X", "email",
                          "soc@cert-x.example", "role", "partner", "partner_id",
                          (json_int_t)partner, "lang", "fr");
    assert_int_equal(vg_store_crisis_member_add(a, &alice, id, m, &out, &d), 0);
    long long m1 = num(out, "id");
    assert_true(m1 > 0);
    assert_string_equal(str(out, "email"), "soc@cert-x.example");
    assert_true(strlen(str(out, "added")) >= 20);
    json_decref(out);
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_crisis_member_add(a, &alice, id, m, &out, &d), VG_EEXIST);
    assert_string_equal(d.field, "/email");
    json_decref(m);
    m = json_pack("{s:s,s:s,s:s,s:s,s:I}", "kind", "contact", "name", "Bob", "email",
                  "bob@acme.example", "role", "victim", "org_id", (json_int_t)org);
    assert_int_equal(vg_store_crisis_member_add(a, &alice, id, m, &out, &d), 0);
    long long m2 = num(out, "id");
    json_decref(out);
    json_decref(m);
    m = json_pack("{s:s,s:s,s:s,s:s}", "kind", "person", "name", "Carol", "email",
                  "carol@example.org", "role", "lawyer");
    assert_int_equal(vg_store_crisis_member_add(a, &alice, id, m, &out, &d), 0);
    long long m3 = num(out, "id");
    json_decref(out);
    assert_int_equal(vg_store_crisis_member_add(a, &alice, 999, m, &out, &d), VG_ENOENT);
    json_decref(m);
    assert_true(m1 < m2 && m2 < m3);

    /* sitreps: numbers, versions */
    json_t *s = json_pack("{s:s,s:s,s:s}", "title", "S1", "body", "first", "tlp", "AMBER");
    assert_int_equal(vg_store_crisis_sitrep_add(a, &alice, id, s, &out, &d), 0);
    assert_int_equal(num(out, "number"), 1);
    assert_int_equal(num(out, "version"), 1);
    assert_string_equal(str(out, "author"), "alice");
    json_decref(out);
    assert_int_equal(vg_store_crisis_sitrep_add(a, &alice, id, s, &out, &d), 0);
    assert_int_equal(num(out, "number"), 2);
    json_decref(out);
    json_object_set_new(s, "number", json_integer(1));
    json_object_set_new(s, "body", json_string("first, corrected"));
    assert_int_equal(vg_store_crisis_sitrep_add(a, &alice, id, s, &out, &d), 0);
    assert_int_equal(num(out, "number"), 1);
    assert_int_equal(num(out, "version"), 2);
    json_decref(out);
    json_object_set_new(s, "number", json_integer(3));
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_crisis_sitrep_add(a, &alice, id, s, &out, &d), VG_ENOENT);
    assert_string_equal(d.field, "/number");
    assert_int_equal(vg_store_crisis_sitrep_add(a, &alice, 999, s, &out, &d), VG_ENOENT);
    json_decref(s);

    assert_int_equal(vg_store_crisis_get(b, id, &got), 0);
    json_t *ms = json_object_get(got, "members");
    assert_int_equal(json_array_size(ms), 3);
    assert_int_equal(num(json_array_get(ms, 0), "partner_id"), partner);
    assert_string_equal(str(json_array_get(ms, 0), "lang"), "fr");
    assert_null(json_object_get(json_array_get(ms, 0), "max_tlp"));
    assert_int_equal(num(json_array_get(ms, 1), "org_id"), org);
    assert_null(json_object_get(json_array_get(ms, 1), "partner_id"));
    assert_string_equal(str(json_array_get(ms, 2), "max_tlp"), "GREEN"); /* the default */
    assert_string_equal(str(json_array_get(ms, 2), "lang"), "");
    json_t *l = json_object_get(got, "log");
    assert_int_equal(json_array_size(l), 2);
    assert_string_equal(str(json_array_get(l, 0), "text"), "called the CISO");
    json_t *sr = json_object_get(got, "sitreps");
    assert_int_equal(json_array_size(sr), 3);
    assert_int_equal(num(json_array_get(sr, 1), "number"), 1);
    assert_int_equal(num(json_array_get(sr, 1), "version"), 2);
    assert_string_equal(str(json_array_get(sr, 1), "body"), "first, corrected");
    assert_int_equal(num(json_array_get(sr, 2), "number"), 2);
    json_decref(got);

    /* roll-calls, acknowledgements, pending */
    long long other = new_crisis(a, "Other", 0);
    long long stranger = add_member(a, other, "x@example.org", 0);
    json_t *p = NULL;
    assert_int_equal(vg_store_crisis_pending(b, id, "2100-01-01T00:00:00Z", &p, &d), 0);
    assert_int_equal(num(p, "rollcall"), 0);
    assert_true(json_is_null(json_object_get(p, "sent")));
    assert_int_equal(json_array_size(json_object_get(p, "pending")), 0);
    json_decref(p);
    assert_int_equal(vg_store_crisis_pending(b, 999, "2100-01-01T00:00:00Z", &p, &d), VG_ENOENT);
    struct vg_crisis_token t[3] = {{m1, {0}}, {m2, {0}}, {m3, {0}}};
    for (unsigned i = 0; i < 3; i++)
        hash_of(i, t[i].hash);
    struct vg_crisis_token bad[2] = {{m1, {0}}, {stranger, {0}}};
    hash_of(50, bad[0].hash);
    hash_of(51, bad[1].hash);
    assert_int_equal(vg_store_crisis_rollcall(a, &alice, id, bad, 2, &out, &d), VG_ENOENT);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM crisis_ack"), 0); /* all undone */
    assert_int_equal(vg_store_crisis_rollcall(a, &alice, 999, t, 3, &out, &d), VG_ENOENT);
    /* a hash twice: a store failure (VG_EIO, not VG_EEXIST: the contract names none) */
    struct vg_crisis_token twice[2] = {t[0], {m2, {0}}};
    memcpy(twice[1].hash, t[0].hash, 32);
    assert_int_equal(vg_store_crisis_rollcall(a, &alice, id, twice, 2, &out, &d), VG_EIO);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM crisis_ack"), 0);
    struct vg_diag dr = {0};
    assert_int_equal(vg_store_crisis_resend(a, &alice, id, t, 1, &out, &dr), VG_ENOENT);
    assert_string_equal(dr.field, "rollcall");
    assert_int_equal(vg_store_crisis_rollcall(a, &alice, id, t, 3, &out, &d), 0);
    assert_int_equal(num(out, "rollcall"), 1);
    assert_int_equal(num(out, "members"), 3);
    char sent[64];
    snprintf(sent, sizeof sent, "%s", str(out, "sent"));
    json_decref(out);
    assert_int_equal(vg_store_crisis_pending(b, id, "2100-01-01T00:00:00Z", &p, &d), 0);
    assert_int_equal(num(p, "rollcall"), 1);
    assert_string_equal(str(p, "sent"), sent);
    assert_int_equal(json_array_size(json_object_get(p, "pending")), 3);
    assert_int_equal(num(json_array_get(json_object_get(p, "pending"), 0), "id"), m1);
    json_decref(p);
    /* sent at `before` counts; before it does not */
    assert_int_equal(vg_store_crisis_pending(b, id, sent, &p, &d), 0);
    assert_int_equal(json_array_size(json_object_get(p, "pending")), 3);
    json_decref(p);
    assert_int_equal(vg_store_crisis_pending(b, id, "2000-01-01T00:00:00Z", &p, &d), 0);
    assert_int_equal(json_array_size(json_object_get(p, "pending")), 0);
    json_decref(p);

    assert_int_equal(vg_store_crisis_ack(b, t[1].hash, &out, &d), 0);
    assert_int_equal(num(out, "crisis_id"), id);
    assert_int_equal(num(out, "rollcall"), 1);
    assert_true(strlen(str(out, "acked")) >= 20);
    json_decref(out);
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_crisis_ack(a, t[1].hash, &out, &d), VG_ECONFLICT);
    assert_string_equal(d.field, "token");
    unsigned char unknown[32];
    hash_of(99, unknown);
    assert_int_equal(vg_store_crisis_ack(a, unknown, &out, &d), VG_ENOENT);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = 'crisis.ack' "
                                   "AND actor = 'ack'"),
                     1);
    assert_int_equal(vg_store_crisis_pending(b, id, "2100-01-01T00:00:00Z", &p, &d), 0);
    json_t *pend = json_object_get(p, "pending"), *acked = json_object_get(p, "acknowledged");
    assert_int_equal(json_array_size(pend), 2);
    assert_int_equal(json_array_size(acked), 1);
    assert_int_equal(num(json_array_get(acked, 0), "id"), m2);
    assert_true(strlen(str(json_array_get(acked, 0), "acked")) >= 20);
    assert_null(json_object_get(json_array_get(pend, 0), "acked"));
    json_decref(p);

    /* re-send: the old link dies, the new one works; an answered member cannot be re-sent */
    struct vg_crisis_token again = {m1, {0}};
    hash_of(10, again.hash);
    assert_int_equal(vg_store_crisis_resend(a, &alice, id, &again, 1, &out, &d), 0);
    assert_int_equal(num(out, "rollcall"), 1);
    assert_int_equal(num(out, "members"), 1);
    json_decref(out);
    assert_int_equal(vg_store_crisis_ack(a, t[0].hash, &out, &d), VG_ENOENT);
    struct vg_crisis_token answered = {m2, {0}};
    hash_of(11, answered.hash);
    assert_int_equal(vg_store_crisis_resend(a, &alice, id, &answered, 1, &out, &d), VG_ENOENT);
    assert_int_equal(vg_store_crisis_resend(a, &alice, 999, &answered, 1, &out, &d), VG_ENOENT);
    assert_int_equal(vg_store_crisis_ack(a, again.hash, &out, &d), 0);
    json_decref(out);

    /* a second roll-call: pending shows it alone */
    struct vg_crisis_token t2 = {m3, {0}};
    hash_of(20, t2.hash);
    assert_int_equal(vg_store_crisis_rollcall(a, &alice, id, &t2, 1, &out, &d), 0);
    assert_int_equal(num(out, "rollcall"), 2);
    json_decref(out);
    assert_int_equal(vg_store_crisis_pending(b, id, "2100-01-01T00:00:00Z", &p, &d), 0);
    assert_int_equal(num(p, "rollcall"), 2);
    assert_int_equal(json_array_size(json_object_get(p, "pending")), 1);
    assert_int_equal(json_array_size(json_object_get(p, "acknowledged")), 0);
    json_decref(p);
    /* the earlier roll-call's unused token still answers (its own roll-call) */
    assert_int_equal(vg_store_crisis_ack(a, t[2].hash, &out, &d), 0);
    assert_int_equal(num(out, "rollcall"), 1);
    json_decref(out);

    /* the sitrep schedule */
    patch = json_pack("{s:i}", "sitrep_every_hours", 6);
    assert_int_equal(vg_store_crisis_update(a, &alice, id, patch, &out, &d), 0);
    json_decref(out);
    json_decref(patch);
    long long third = new_crisis(a, "Third", 2);
    json_t *sch = NULL;
    assert_int_equal(vg_store_crisis_scheduled(b, &sch, &d), 0);
    json_t *items = json_object_get(sch, "items");
    assert_int_equal(json_array_size(items), 2); /* not "other" (no schedule) */
    assert_int_equal(num(json_array_get(items, 0), "id"), id);
    assert_int_equal(num(json_array_get(items, 0), "sitrep_every_hours"), 6);
    assert_true(json_is_null(json_object_get(json_array_get(items, 0), "reminded")));
    assert_int_equal(num(json_array_get(items, 1), "id"), third);
    assert_int_equal(vg_store_crisis_get(b, third, &got), 0);
    assert_string_equal(str(json_array_get(items, 1), "base"), str(got, "opened"));
    json_decref(got);
    assert_int_equal(vg_store_crisis_get(b, id, &got), 0);
    sr = json_object_get(got, "sitreps");
    /* the latest sitrep: number 1 version 2, stored last */
    assert_string_equal(str(json_array_get(items, 0), "base"), str(json_array_get(sr, 1), "at"));
    json_decref(got);
    json_decref(sch);
    assert_int_equal(vg_store_crisis_reminded(a, &alice, id, "2026-12-01T10:00:00Z", &d), 0);
    assert_int_equal(vg_store_crisis_reminded(a, &alice, 999, "2026-12-01T10:00:00Z", &d),
                     VG_ENOENT);
    assert_int_equal(vg_store_crisis_scheduled(b, &sch, &d), 0);
    assert_string_equal(str(json_array_get(json_object_get(sch, "items"), 0), "reminded"),
                        "2026-12-01T10:00:00Z");
    json_decref(sch);

    /* close */
    json_t *closing = json_pack("{s:s,s:[s]}", "summary", "contained", "actions", "patch");
    assert_int_equal(vg_store_crisis_close(a, &alice, id, "2026-12-02T09:00:00Z", closing,
                                           "# Review", &out, &d),
                     0);
    assert_string_equal(str(out, "state"), "closed");
    assert_string_equal(str(out, "closed"), "2026-12-02T09:00:00Z");
    assert_string_equal(str(out, "updated"), "2026-12-02T09:00:00Z");
    assert_string_equal(str(out, "review"), "# Review");
    assert_true(json_equal(json_object_get(out, "closing"), closing));
    json_decref(out);
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_crisis_close(a, &alice, id, "2026-12-03T09:00:00Z", closing, "x",
                                           &out, &d),
                     VG_ECONFLICT);
    assert_string_equal(d.field, "state");
    assert_int_equal(vg_store_crisis_close(a, &alice, 999, "2026-12-03T09:00:00Z", closing, "x",
                                           &out, &d),
                     VG_ENOENT);
    json_decref(closing);
    assert_int_equal(vg_store_crisis_scheduled(b, &sch, &d), 0);
    assert_int_equal(json_array_size(json_object_get(sch, "items")), 1); /* closed: gone */
    json_decref(sch);

    /* the list, newest first, in pages */
    struct vg_page pg = {.limit = 2};
    json_t *page = NULL;
    assert_int_equal(vg_store_crisis_list(b, &pg, &page, &d), 0);
    items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(num(json_array_get(items, 0), "id"), third);
    assert_int_equal(num(json_array_get(items, 1), "id"), other);
    assert_null(json_object_get(json_array_get(items, 0), "members"));
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", str(page, "next_cursor"));
    json_decref(page);
    pg.cursor = cursor;
    assert_int_equal(vg_store_crisis_list(b, &pg, &page, &d), 0);
    items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(num(json_array_get(items, 0), "id"), id);
    assert_string_equal(str(json_array_get(items, 0), "closed"), "2026-12-02T09:00:00Z");
    assert_true(json_is_null(json_object_get(page, "next_cursor")));
    json_decref(page);
    pg.cursor = "zz";
    assert_int_equal(vg_store_crisis_list(b, &pg, &page, &d), VG_EINVAL);

    /* in the caller's transaction: undone with it */
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    long long gone = new_crisis(a, "Gone", 0);
    assert_int_equal(vg_store_crisis_log_add(a, &alice, gone, "x", &out, &d), 0);
    json_decref(out);
    vg_store_tx_rollback(a);
    assert_int_equal(vg_store_crisis_get(b, gone, &got), VG_ENOENT);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM crisis_log WHERE text = 'x'"), 0);
}

static void crisis_on_sqlite(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, false);
    crisis_body(&be);
    be_close(&be);
}

static void crisis_on_pg(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, true);
    crisis_body(&be);
    be_close(&be);
}

/* ---- the same random writes on both, the reads compared ---- */

/* The member ids a run was given, in order: PostgreSQL's sequence skips a value on a failed
 * insert (a duplicate e-mail) where SQLite's rowid does not, which the contract allows (ids
 * are unique, never reused, increasing); the comparison names members by rank. */
struct run {
    struct vg_store *st;
    long long crises[4];
    int ncrises;
    long long members[4][8];
    int nmembers[4];
    unsigned hashes; /* tokens handed out so far */
    json_t *trace;
};

static long long member_rank(const struct run *r, long long id)
{
    for (int c = 0; c < r->ncrises; c++)
        for (int i = 0; i < r->nmembers[c]; i++)
            if (r->members[c][i] == id)
                return 1000 * c + i;
    return -1;
}

/* Member ids by rank, times blanked. */
static void normalize(const struct run *r, json_t *v)
{
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x)
            normalize(r, x);
    } else if (json_is_object(v)) {
        if (json_object_get(v, "email") && json_object_get(v, "id"))
            json_object_set_new(v, "id", json_integer(member_rank(r, num(v, "id"))));
        json_object_foreach(v, k, x)
            normalize(r, x);
    }
    static const char *const times[] = {"opened", "updated", "at",   "added",
                                        "sent",   "acked",   "base", NULL};
    blank_times(v, times);
}

static void record(struct run *r, const char *op, int rc, json_t *out)
{
    json_t *e = json_pack("{s:s,s:i}", "op", op, "rc", rc);
    if (rc == 0 && out) {
        normalize(r, out);
        json_object_set(e, "out", out);
    }
    json_decref(out);
    json_array_append_new(r->trace, e);
}

static void random_writes(struct run *r, unsigned seed)
{
    static const char *const emails[] = {"a@x.example", "b@x.example", "c@x.example", "d@x.example",
                                         "e@x.example"};
    static const char *const levels[] = {"minor", "major", "critical"};
    srand(seed);
    struct vg_diag d = {0};
    for (int c = 0; c < 3; c++) {
        json_t *cr = json_pack("{s:s,s:s,s:[],s:i}", "title", "C", "level", levels[c], "incidents",
                               "sitrep_every_hours", rand() % 3);
        json_t *out = NULL;
        int rc = vg_store_crisis_create(r->st, &alice, cr, &out, &d);
        assert_int_equal(rc, 0);
        r->crises[r->ncrises++] = num(out, "id");
        record(r, "create", rc, out);
        json_decref(cr);
    }
    unsigned char hashes[64][32];
    for (int step = 0; step < 120; step++) {
        int c = rand() % 3;
        long long id = rand() % 10 == 0 ? 77 : r->crises[c]; /* now and then: no such crisis */
        json_t *out = NULL;
        int rc;
        switch (rand() % 9) {
        case 0: {
            json_t *m = json_pack("{s:s,s:s,s:s,s:s}", "kind", "person", "name", "N", "email",
                                  emails[rand() % 5], "role", rand() % 2 ? "lead" : "legal");
            rc = vg_store_crisis_member_add(r->st, &alice, id, m, &out, &d);
            if (rc == 0 && r->nmembers[c] < 8)
                r->members[c][r->nmembers[c]++] = num(out, "id");
            json_decref(m);
            record(r, "member", rc, out);
            break;
        }
        case 1:
            rc = vg_store_crisis_log_add(r->st, &alice, id, rand() % 2 ? "x" : "y", &out, &d);
            record(r, "log", rc, out);
            break;
        case 2: {
            json_t *s = json_pack("{s:s,s:s,s:s}", "title", "S", "body", "b", "tlp", "GREEN");
            int n = rand() % 4;
            if (n)
                json_object_set_new(s, "number", json_integer(n));
            rc = vg_store_crisis_sitrep_add(r->st, &alice, id, s, &out, &d);
            json_decref(s);
            record(r, "sitrep", rc, out);
            break;
        }
        case 3: {
            struct vg_crisis_token t[9] = {{0, {0}}};
            size_t n = 0;
            for (int i = 0; i < r->nmembers[c] && r->hashes < 64; i++)
                if (rand() % 3) {
                    t[n].member_id = r->members[c][i];
                    hash_of(r->hashes, t[n].hash);
                    memcpy(hashes[r->hashes++], t[n].hash, 32);
                    n++;
                }
            if (rand() % 8 == 0 && c != 0 && r->nmembers[0] > 0)
                t[n > 0 ? n - 1 : n++].member_id = r->members[0][0]; /* another crisis's */
            rc = vg_store_crisis_rollcall(r->st, &alice, id, t, n, &out, &d);
            record(r, "rollcall", rc, out);
            break;
        }
        case 4:
            if (r->hashes == 0)
                continue;
            {
                const unsigned char *h = hashes[(unsigned)rand() % r->hashes];
                rc = vg_store_crisis_ack(r->st, h, &out, &d);
                record(r, "ack", rc, out);
                if (rand() % 3 == 0) { /* the same link twice */
                    out = NULL;
                    rc = vg_store_crisis_ack(r->st, h, &out, &d);
                    record(r, "ack", rc, out);
                }
                break;
            }
        case 5: {
            if (r->nmembers[c] == 0 || r->hashes >= 64)
                continue;
            struct vg_crisis_token t = {r->members[c][rand() % r->nmembers[c]], {0}};
            hash_of(r->hashes, t.hash);
            memcpy(hashes[r->hashes++], t.hash, 32);
            rc = vg_store_crisis_resend(r->st, &alice, id, &t, 1, &out, &d);
            record(r, "resend", rc, out);
            break;
        }
        case 6: {
            json_t *patch = json_pack("{s:s}", "level", levels[rand() % 3]);
            if (rand() % 2)
                json_object_set_new(patch, "sitrep_every_hours", json_integer(rand() % 3));
            rc = vg_store_crisis_update(r->st, &alice, id, patch, &out, &d);
            json_decref(patch);
            record(r, "update", rc, out);
            break;
        }
        case 7:
            rc = vg_store_crisis_reminded(r->st, &alice, id,
                                          rand() % 2 ? "2026-12-01T00:00:00Z"
                                                     : "2026-12-02T00:00:00Z",
                                          &d);
            record(r, "reminded", rc, NULL);
            break;
        default: {
            if (rand() % 3)
                continue;
            json_t *closing = json_pack("{s:s,s:[]}", "summary", "done", "actions");
            rc = vg_store_crisis_close(r->st, &alice, id, "2026-12-05T00:00:00Z", closing, "review",
                                       &out, &d);
            json_decref(closing);
            record(r, "close", rc, out);
            break;
        }
        }
    }
    /* the reads (each call made before record() reads out: the order in which a call's
     * arguments are evaluated is unspecified, and an out read first was NULL, the answer
     * leaked and never compared) */
    int rc;
    for (int c = 0; c < 3; c++) {
        json_t *out = NULL;
        rc = vg_store_crisis_get(r->st, r->crises[c], &out);
        record(r, "get", rc, out);
        out = NULL;
        rc = vg_store_crisis_pending(r->st, r->crises[c], "2100-01-01T00:00:00Z", &out, &d);
        record(r, "pending", rc, out);
    }
    json_t *out = NULL;
    rc = vg_store_crisis_scheduled(r->st, &out, &d);
    record(r, "scheduled", rc, out);
    struct vg_page pg = {.limit = 2};
    out = NULL;
    rc = vg_store_crisis_list(r->st, &pg, &out, &d);
    record(r, "list", rc, out);
}

/* How many entries of trace are op answered rc. */
static int seen(const json_t *trace, const char *op, int rc)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(trace, i, e)
        n += strcmp(str(e, "op"), op) == 0 && num(e, "rc") == rc;
    return n;
}

static void crisis_random_same_on_both(void **state)
{
    (void)state;
    /* the outcomes the sequences must have met (over the rounds), lest they prove little */
    int ok_ack = 0, used_ack = 0, dup_member = 0, ok_rollcall = 0, ok_resend = 0, no_sitrep = 0;
    /* fixed seeds by default: the outcomes asserted below depend on the sequence (seeds
     * 1796549183-5 met no re-send), and CI must not be a lottery; VG_TEST_SEED tries others */
    unsigned seed = 1;
    const char *env = getenv("VG_TEST_SEED");
    if (env)
        seed = (unsigned)strtoul(env, NULL, 10);
    for (int round = 0; round < 3; round++, seed++) {
        printf("crisis_random_same_on_both: seed %u (VG_TEST_SEED to replay)\n", seed);
        struct backend s, p;
        be_open(&s, false);
        be_open(&p, true);
        struct run rs = {.st = s.a, .trace = json_array()};
        struct run rp = {.st = p.a, .trace = json_array()};
        random_writes(&rs, seed);
        random_writes(&rp, seed);
        assert_true(json_array_size(rs.trace) > 40);
        traces_equal(rs.trace, rp.trace, seed);
        ok_ack += seen(rs.trace, "ack", 0);
        used_ack += seen(rs.trace, "ack", VG_ECONFLICT);
        dup_member += seen(rs.trace, "member", VG_EEXIST);
        ok_rollcall += seen(rs.trace, "rollcall", 0);
        ok_resend += seen(rs.trace, "resend", 0);
        no_sitrep += seen(rs.trace, "sitrep", VG_ENOENT);
        /* the audit logs match too: one record per successful write */
        assert_int_equal(be_scalar(&s, "SELECT count(*) FROM audit"),
                         be_scalar(&p, "SELECT count(*) FROM audit"));
        json_decref(rs.trace);
        json_decref(rp.trace);
        be_close(&s);
        be_close(&p);
    }
    printf("acks %d, used %d, duplicate members %d, roll-calls %d, re-sends %d, "
           "no such sitrep %d\n",
           ok_ack, used_ack, dup_member, ok_rollcall, ok_resend, no_sitrep);
    assert_true(ok_ack > 0 && used_ack > 0 && dup_member > 0 && ok_rollcall > 0 && ok_resend > 0 &&
                no_sitrep > 0);
}

/* ---- several connections at once (PostgreSQL: several `vigie serve`) ---- */

#define WRITERS 4
#define EACH    10

struct writer {
    const char *uri;
    long long crisis;
    unsigned char hash[32];
    int fails, acks, conflicts;
};

static void *sitrep_writer(void *arg)
{
    struct writer *w = arg;
    struct vg_diag d = {0};
    struct vg_store *st = vg_store_open_partial(w->uri, NULL, &d);
    if (!st) {
        w->fails = EACH;
        return NULL;
    }
    json_t *s = json_pack("{s:s,s:s,s:s}", "title", "S", "body", "b", "tlp", "GREEN");
    for (int i = 0; i < EACH; i++) {
        json_t *out = NULL;
        if (vg_store_crisis_sitrep_add(st, &alice, w->crisis, s, &out, &d) != 0)
            w->fails++;
        json_decref(out);
    }
    json_t *out = NULL;
    int rc = vg_store_crisis_ack(st, w->hash, &out, &d);
    json_decref(out);
    w->acks += rc == 0;
    w->conflicts += rc == VG_ECONFLICT;
    json_decref(s);
    vg_store_close(st);
    return NULL;
}

static void crisis_concurrent_writers_pg(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, true);
    long long id = new_crisis(be.a, "Busy", 0);
    long long m = add_member(be.a, id, "m@example.org", 0);
    struct vg_crisis_token t = {m, {0}};
    hash_of(7, t.hash);
    struct vg_diag d = {0};
    json_t *out = NULL;
    assert_int_equal(vg_store_crisis_rollcall(be.a, &alice, id, &t, 1, &out, &d), 0);
    json_decref(out);
    pthread_t th[WRITERS];
    struct writer w[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (struct writer){.uri = be.path, .crisis = id};
        memcpy(w[i].hash, t.hash, 32);
        assert_int_equal(pthread_create(&th[i], NULL, sitrep_writer, &w[i]), 0);
    }
    int acks = 0, conflicts = 0;
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].fails, 0); /* no number taken twice (no unique violation) */
        acks += w[i].acks;
        conflicts += w[i].conflicts;
    }
    assert_int_equal(acks, 1); /* one token used once */
    assert_int_equal(conflicts, WRITERS - 1);
    assert_int_equal(be_scalar(&be, "SELECT count(DISTINCT number) FROM crisis_sitrep"),
                     WRITERS * EACH);
    assert_int_equal(be_scalar(&be, "SELECT max(number) FROM crisis_sitrep"), WRITERS * EACH);
    assert_int_equal(be_scalar(&be, "SELECT count(*) FROM audit WHERE action = 'crisis.ack'"), 1);
    be_close(&be);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crisis_on_sqlite),
        cmocka_unit_test(crisis_on_pg),
        cmocka_unit_test(crisis_random_same_on_both),
        cmocka_unit_test(crisis_concurrent_writers_pg),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
