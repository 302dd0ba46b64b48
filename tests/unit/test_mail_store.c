/* Unit tests of the outbox (store/mail.h, app/mail.h's queueing) on a real SQLite store: a
 * claim takes the due messages only, leases them and counts the attempt; marks end attempts;
 * a queue inside a use case's transaction goes with it when it is rolled back; refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "app/mail.h"
#include "store_fixture.h"

static json_t *msg(const char *mid, const char *kind)
{
    return json_pack("{s:s,s:s,s:s,s:[s],s:s,s:s}", "message_id", mid, "kind", kind, "object",
                     "VIG-2026-000001", "to", "a@example.org", "subject", "s", "text", "t");
}

static json_t *items(struct vg_store *st, const char *state)
{
    struct vg_page page = {100, NULL};
    json_t *out = NULL;
    assert_int_equal(vg_mail_list(st, state, &page, &out, NULL), 0);
    json_t *it = json_incref(json_object_get(out, "items"));
    json_decref(out);
    return it;
}

static void claim_lease_mark(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long id1, id2;
    json_t *m = msg("<1@x>", "incident");
    assert_int_equal(vg_store_mail_queue(f->st, m, &id1, &d), 0);
    json_decref(m);
    m = msg("<2@x>", "digest");
    assert_int_equal(vg_store_mail_queue(f->st, m, &id2, &d), 0);
    /* the same Message-ID twice: refused */
    assert_int_equal(vg_store_mail_queue(f->st, m, NULL, &d), VG_EEXIST);
    json_decref(m);
    json_t *out;
    /* nothing is due before it was queued */
    assert_int_equal(vg_store_mail_claim(f->st, "2000-01-01T00:00:00Z", "2000-01-01T00:05:00Z", 10,
                                         &out, &d),
                     0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
    json_decref(out);
    /* one at a time: the first, leased until 9999 */
    assert_int_equal(vg_store_mail_claim(f->st, "9000-01-01T00:00:00Z", "9999-01-01T00:00:00Z", 1,
                                         &out, &d),
                     0);
    json_t *got = json_object_get(out, "items");
    assert_int_equal(json_array_size(got), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(got, 0), "id")), id1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(got, 0), "attempts")), 1);
    json_decref(out);
    /* the leased one is no longer due: the next claim gets the second only */
    assert_int_equal(vg_store_mail_claim(f->st, "9000-01-01T00:00:00Z", "9999-01-01T00:00:00Z", 10,
                                         &out, &d),
                     0);
    got = json_object_get(out, "items");
    assert_int_equal(json_array_size(got), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(got, 0), "id")), id2);
    json_decref(out);
    assert_int_equal(vg_store_mail_mark(f->st, id1, "sent", NULL, "250 ok", &d), 0);
    assert_int_equal(vg_store_mail_mark(f->st, id2, "queued", "9500-01-01T00:00:00Z", "451 later",
                                        &d),
                     0);
    assert_int_equal(vg_store_mail_mark(f->st, 999, "sent", NULL, "x", &d), VG_ENOENT);
    assert_int_equal(vg_store_mail_mark(f->st, id1, "lost", NULL, "x", &d), VG_EINVAL);
    assert_int_equal(vg_store_mail_mark(f->st, id1, "queued", NULL, "x", &d), VG_EINVAL);
    json_t *sent = items(f->st, "sent"), *queued = items(f->st, "queued");
    assert_int_equal(json_array_size(sent), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sent, 0), "last_answer")),
                        "250 ok");
    assert_string_equal(json_string_value(json_object_get(json_array_get(queued, 0),
                                                          "next_attempt")),
                        "9500-01-01T00:00:00Z");
    json_decref(sent);
    json_decref(queued);
    /* a sent message is never claimed again */
    assert_int_equal(vg_store_mail_claim(f->st, "9999-12-31T00:00:00Z", "9999-12-31T00:00:01Z", 10,
                                         &out, &d),
                     0);
    got = json_object_get(out, "items");
    assert_int_equal(json_array_size(got), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(got, 0), "id")), id2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(got, 0), "attempts")), 2);
    json_decref(out);
    assert_int_equal(vg_mail_list(f->st, "bogus", &(struct vg_page){10, NULL}, &out, &d),
                     VG_EINVAL);
}

/* Only a taken Message-ID is VG_EEXIST: another refusal of the insert (here a trigger's
 * abort) is the store's failure, not a duplicate. */
static void other_constraint_is_not_a_duplicate(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    exec_on(f->path, "CREATE TRIGGER no_mail BEFORE INSERT ON outbox "
                     "BEGIN SELECT RAISE(ABORT, 'refused'); END;");
    json_t *m = msg("<9@x>", "incident");
    int rc = vg_store_mail_queue(f->st, m, NULL, &d);
    json_decref(m);
    assert_int_not_equal(rc, 0);
    assert_int_not_equal(rc, VG_EEXIST);
    assert_null(strstr(d.message, "already queued"));
}

static void queue_follows_the_transaction(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    struct vg_mail_config c;
    vg_mail_config_env(&c);
    snprintf(c.from, sizeof c.from, "CERT <cert@vigie.example>");
    json_t *to = json_pack("[s,s]", "a@example.org", "b@example.org");
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_mail_queue(f->st, &c, "incident", "VIG-2026-000009", "VIG-2026-000009", to,
                                   "sujet", "texte", NULL, NULL, &d),
                     0);
    vg_store_tx_rollback(f->st);
    json_t *all = items(f->st, NULL);
    assert_int_equal(json_array_size(all), 0);
    json_decref(all);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_mail_queue(f->st, &c, "incident", "VIG-2026-000009", "VIG-2026-000009", to,
                                   "sujet", "texte", NULL, NULL, &d),
                     0);
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    all = items(f->st, NULL);
    assert_int_equal(json_array_size(all), 1);
    json_t *m = json_array_get(all, 0);
    assert_string_equal(json_string_value(json_object_get(m, "subject")),
                        "[VIG-2026-000009] sujet");
    const char *mid = json_string_value(json_object_get(m, "message_id"));
    assert_true(mid[0] == '<' && strlen(mid) == 1 + 36 + strlen("@vigie.example>"));
    assert_non_null(strstr(mid, "@vigie.example>"));
    assert_string_equal(json_string_value(json_object_get(m, "state")), "queued");
    json_decref(all);
    /* refusals: no recipient, an address list in one string, an unknown kind */
    json_t *bad = json_array();
    assert_int_equal(vg_mail_queue(f->st, &c, "incident", NULL, NULL, bad, "s", "t", NULL, NULL,
                                   &d),
                     VG_EINVAL);
    json_array_append_new(bad, json_string("a@example.org, b@example.org"));
    assert_int_equal(vg_mail_queue(f->st, &c, "incident", NULL, NULL, bad, "s", "t", NULL, NULL,
                                   &d),
                     VG_EINVAL);
    assert_int_equal(vg_mail_queue(f->st, &c, "spam", NULL, NULL, to, "s", "t", NULL, NULL, &d),
                     VG_EINVAL);
    json_decref(bad);
    json_decref(to);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(claim_lease_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(queue_follows_the_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(other_constraint_is_not_a_duplicate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
